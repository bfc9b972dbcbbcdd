//go:build tools

// Package binaries pins the Kubernetes control-plane programs the test harness runs
// (kube-apiserver and etcd, as controller-runtime's envtest does, plus kube-controller-manager
// so end-to-end tests see Deployments become ReplicaSets, Pods and EndpointSlices), and the real
// node's kubelet, kube-scheduler and kube-proxy (test/node/). Nothing here
// is imported by product code; build-test-binaries.ts builds these packages into a cache
// outside the repo.
package binaries

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
