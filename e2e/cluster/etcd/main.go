// Command etcd runs etcd's server main from the go.etcd.io/etcd/server/v3 module,
// so the local control plane can build etcd through the Go module proxy.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
