package natsserver

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// clusterName is the route cluster name used by StartCluster.
const clusterName = "permledger"

// clusterTimeout bounds how long StartCluster waits for a JetStream meta
// leader that sees every peer.
const clusterTimeout = 20 * time.Second

// StartCluster runs len(dirs) JetStream servers (at least 2) routed to each
// other on loopback, one per store dir, with random client ports. It returns
// once a JetStream meta leader exists and reports every server as a
// JetStream peer, so replicated streams can be placed at once. On failure
// every started server is shut down. Servers are named "permledger-<i>".
func StartCluster(dirs []string, syncAlways bool) ([]*server.Server, error) {
	if len(dirs) < 2 {
		return nil, fmt.Errorf("natsserver: a cluster needs at least 2 store dirs, got %d", len(dirs))
	}
	ports, err := freePorts(len(dirs))
	if err != nil {
		return nil, err
	}
	routes := routeURLs(ports)
	servers := make([]*server.Server, 0, len(dirs))
	for i, dir := range dirs {
		s, err := startClusterNode(i, dir, syncAlways, ports[i], routes)
		if err != nil {
			shutdownAll(servers)
			return nil, err
		}
		servers = append(servers, s)
	}
	if err := waitForMetaLeader(servers, clusterTimeout); err != nil {
		shutdownAll(servers)
		return nil, err
	}
	return servers, nil
}

// startClusterNode starts member i of a cluster listening for routes on
// clusterPort.
func startClusterNode(i int, dir string, syncAlways bool, clusterPort int, routes []*url.URL) (*server.Server, error) {
	cfg := Config{
		StoreDir:   dir,
		Host:       DefaultHost,
		Port:       -1,
		SyncAlways: syncAlways,
		ServerName: "permledger-" + strconv.Itoa(i),
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	opts := cfg.options()
	opts.Cluster = server.ClusterOpts{Name: clusterName, Host: DefaultHost, Port: clusterPort}
	opts.Routes = routes
	return run(opts, readyTimeout)
}

// freePorts finds n distinct free TCP ports on loopback by listening on
// port 0 and closing. Another process could take a port before the server
// binds it; Start then fails and the caller may retry.
func freePorts(n int) ([]int, error) {
	listeners := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", net.JoinHostPort(DefaultHost, "0"))
		if err != nil {
			return nil, fmt.Errorf("natsserver: find free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// routeURLs returns the nats-route URL of every cluster port.
func routeURLs(ports []int) []*url.URL {
	routes := make([]*url.URL, 0, len(ports))
	for _, p := range ports {
		routes = append(routes, &url.URL{Scheme: "nats-route", Host: net.JoinHostPort(DefaultHost, strconv.Itoa(p))})
	}
	return routes
}

// waitForMetaLeader polls until one server is the JetStream meta leader and
// sees all servers as JetStream peers, or the timeout passes.
func waitForMetaLeader(servers []*server.Server, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if metaLeaderReady(servers) {
			return nil
		}
		select {
		case <-deadline.C:
			return errors.New("natsserver: no JetStream meta leader with all peers within " + timeout.String())
		case <-tick.C:
		}
	}
}

// metaLeaderReady reports whether some server leads the JetStream meta group
// and knows every server as a JetStream peer.
func metaLeaderReady(servers []*server.Server) bool {
	for _, s := range servers {
		if s.JetStreamIsLeader() && len(s.JetStreamClusterPeers()) == len(servers) {
			return true
		}
	}
	return false
}

// shutdownAll stops servers and waits for each to finish.
func shutdownAll(servers []*server.Server) {
	for _, s := range servers {
		s.Shutdown()
	}
	for _, s := range servers {
		s.WaitForShutdown()
	}
}
