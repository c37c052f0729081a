package sdk

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Serve runs f as an external detector plugin; it is all a plugin's main
// function calls. It speaks the go-plugin handshake (Handshake) on stdout
// and serves f over gRPC until the host kills the process, then exits. A
// plugin served this way takes no params: launched with some, it refuses
// them (see ServeParams).
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
	ServeParams(func(params map[string]string) (Factory, error) {
		if len(params) > 0 {
			return nil, fmt.Errorf("%s takes no params, got %s", f.Info().Name, strings.Join(slices.Sorted(maps.Keys(params)), ", "))
		}
		return f, nil
	})
}

// ParamsEnv is the environment variable through which the host hands a
// plugin its params (LaunchOptions.Params), as a JSON object of strings.
const ParamsEnv = "PYNOMALY_PLUGIN_PARAMS"

// badParams starts the stderr line of a plugin refusing its params; Launch
// turns it into an error wrapping ErrBadParams.
const badParams = "pynomaly plugin: bad params: "

// ServeParams is Serve for a detector with params: build turns the params
// the host launched the plugin with (the agent's plugins[].params; none is
// an empty map) into the Factory to serve. When build fails, the plugin
// writes the error for the host and exits with status 1 before the
// handshake, and the host's Launch fails with an error wrapping
// ErrBadParams that carries build's message, so say which param is wrong
// and why.
func ServeParams(build func(params map[string]string) (Factory, error)) {
	params, err := paramsFromEnv()
	var f Factory
	if err == nil {
		f, err = build(params)
	}
	if err != nil {
		// One line: the host reads the tail of stderr.
		fmt.Fprintln(os.Stderr, badParams+strings.ReplaceAll(err.Error(), "\n", "; "))
		os.Exit(1)
	}
	// The host parses hclog's JSON lines and logs them at their level.
	logger := hclog.New(&hclog.LoggerOptions{Level: hclog.Debug, Output: os.Stderr, JSONFormat: true})
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         pluginSet(f),
		GRPCServer:      grpcServer(logger),
		Logger:          logger,
	})
}

func paramsFromEnv() (map[string]string, error) {
	params := map[string]string{}
	raw := os.Getenv(ParamsEnv)
	if raw == "" {
		return params, nil
	}
	if err := json.Unmarshal([]byte(raw), &params); err != nil {
		return nil, fmt.Errorf("%s is not a JSON object of strings: %v", ParamsEnv, err)
	}
	return params, nil
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
