//go:build tools

// Package binaries pins the Kubernetes control-plane programs the test harness runs
// (kube-apiserver and etcd, as controller-runtime's envtest does). Nothing here is
// imported by product code; build.ts builds these packages into a cache outside the repo.
package binaries

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
