package sdk

import (
	"context"
	"fmt"
	"math"
	"os"
	"path"
	"runtime/debug"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Serve runs f as an external detector plugin; it is all a plugin's main
// function calls. It speaks the go-plugin handshake (Handshake) on stdout
// and serves f over gRPC until the host kills the process, then exits.
//
// Run by hand, without the host's magic cookie in the environment, the
// program prints that it is a plugin and exits with status 1. Anything the
// plugin writes to stderr reaches the host's log: lines in hclog's JSON
// format at their own level, other lines at debug level.
//
// A detector that panics fails that call with an error instead of taking
// down every series the plugin serves; the instance may then be in any
// state, so the host should discard it.
func Serve(f Factory) {
	// The host parses hclog's JSON lines and logs them at their level.
	logger := hclog.New(&hclog.LoggerOptions{Level: hclog.Debug, Output: os.Stderr, JSONFormat: true})
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         pluginSet(f),
		GRPCServer:      grpcServer(logger),
		Logger:          logger,
	})
}

func grpcServer(logger hclog.Logger) func([]grpc.ServerOption) *grpc.Server {
	return func(opts []grpc.ServerOption) *grpc.Server {
		return grpc.NewServer(append(opts,
			// Snapshots and fitted models may exceed gRPC's 4 MiB default.
			grpc.MaxRecvMsgSize(math.MaxInt32),
			grpc.MaxSendMsgSize(math.MaxInt32),
			grpc.ChainUnaryInterceptor(recoverPanic(logger)),
		)...)
	}
}

// recoverPanic turns a detector's panic into an Internal status, and logs
// its stack to the host.
func recoverPanic(logger hclog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if r := recover(); r != nil {
				logger.Error("detector panicked", "method", info.FullMethod, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = status.Errorf(codes.Internal, "detector panicked in %s: %v", path.Base(info.FullMethod), r)
			}
		}()
		return h(ctx, req)
	}
}
