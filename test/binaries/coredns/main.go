// Command coredns is the real test node's cluster DNS: CoreDNS with only the plugins a cluster
// DNS needs, so it builds in a fraction of the time of the full coredns command (which links
// every plugin, cloud DNS clients included). It is its own module so CoreDNS's client-go never
// shifts the versions the Kubernetes binaries in ../go.mod are built with.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
)

// directives keeps CoreDNS's own order (core/dnsserver/zdirectives.go) for the plugins linked
// in: a plugin sees every request after the ones listed before it, so the order is semantics.
// prometheus (package metrics) is linked in anyway by forward and cache, so a Corefile may use
// it like a stock cluster DNS's.
var directives = []string{
	"bind",
	"ready",
	"health",
	"prometheus",
	"errors",
	"log",
	"loadbalance",
	"cache",
	"kubernetes",
	"loop",
	"forward",
}

func init() {
	dnsserver.Directives = directives
}

func main() {
	coremain.Run()
}
