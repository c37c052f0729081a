package sdk

import (
	"context"
	"errors"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/pynomaly/pynomaly/plugins/sdk/internal/pb"
)

// ProtocolVersion is the version of the plugin wire protocol
// (internal/pb/detector.proto). It changes only on an incompatible change;
// a host refuses plugins built for another version.
const ProtocolVersion = 1

// Handshake is what a host and a plugin check before talking: the
// go-plugin magic cookie, which stops a plugin from being run as an
// ordinary program and a host from running a program that is not a
// Pynomaly detector, and the protocol version. Serve and Launch use it as
// is; it is a variable only because go-plugin takes it by value.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "PYNOMALY_DETECTOR_PLUGIN",
	MagicCookieValue: "9c1f3e6a2b7d4f08a5e1c3b9d7f20a64",
}

// pluginName is the one plugin a detector plugin process serves.
const pluginName = "detector"

var (
	// ErrPluginExited marks a call to a plugin whose process has exited or
	// whose connection is lost. The Plugin is unusable; the host kills it
	// and launches it again.
	ErrPluginExited = errors.New("detector plugin exited")
	// ErrIncompatiblePlugin marks an executable that did not complete the
	// handshake of this protocol version: not a Pynomaly detector plugin,
	// built for another protocol version, or silent until the start
	// timeout.
	ErrIncompatiblePlugin = errors.New("not a compatible detector plugin")
	// ErrBadParams marks a plugin that refused the params it was launched
	// with (ServeParams' build function failed); the error says why.
	ErrBadParams = errors.New("detector plugin refused its params")
)

// grpcPlugin glues a Factory (plugin side) or a gRPC client (host side) to
// go-plugin.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	factory Factory // nil on the host side
}

var _ plugin.GRPCPlugin = (*grpcPlugin)(nil)

func (p *grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterDetectorServer(s, newServer(p.factory))
	return nil
}

func (p *grpcPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return pb.NewDetectorClient(c), nil
}

func pluginSet(f Factory) plugin.PluginSet {
	return plugin.PluginSet{pluginName: &grpcPlugin{factory: f}}
}
