package sdk

import (
	"net"
	"path/filepath"
	"testing"

	"github.com/hashicorp/go-hclog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/pynomaly/pynomaly/plugins/sdk/internal/pb"
)

// ServeInMemory serves f over gRPC on a unix socket in this process, with
// the server and client code of a plugin process but without go-plugin's
// process and handshake, and returns the host side and a count of the
// instances alive in the server.
func ServeInMemory(t testing.TB, f Factory) (*Plugin, func() int) {
	sock := filepath.Join(t.TempDir(), "plugin.sock")
	lis, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv, impl := grpcServer(hclog.NewNullLogger())(nil), newServer(f)
	pb.RegisterDetectorServer(srv, impl)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	p, err := newPlugin("in-memory", pb.NewDetectorClient(conn), 0)
	if err != nil {
		t.Fatal(err)
	}
	live := func() int {
		impl.mu.Lock()
		defer impl.mu.Unlock()
		return len(impl.instances)
	}
	return p, live
}
