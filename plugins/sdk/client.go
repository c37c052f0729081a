package sdk

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/pynomaly/pynomaly/plugins/sdk/internal/pb"
)

// DefaultStartTimeout is how long Launch waits for a plugin's handshake
// when LaunchOptions.StartTimeout is zero.
const DefaultStartTimeout = 10 * time.Second

// LaunchOptions configures Launch.
type LaunchOptions struct {
	// Logger receives go-plugin's log and the plugin's stderr, with a
	// "plugin" attribute naming the binary; nil discards them.
	Logger *slog.Logger
	// StartTimeout bounds the time from starting the process to the end
	// of the handshake; zero means DefaultStartTimeout.
	StartTimeout time.Duration
	// CallTimeout bounds every call to the plugin; zero means no bound. A
	// call that runs out fails wrapping context.DeadlineExceeded.
	CallTimeout time.Duration
	// Params are handed to the plugin's ServeParams build function, in the
	// ParamsEnv environment variable.
	Params map[string]string
}

// Plugin is a running detector plugin process, launched by the host. Its
// Factory makes Detectors that forward every call over gRPC. A Plugin does
// not restart itself: when its process exits, calls fail wrapping
// ErrPluginExited, Exited reports true, and the owner kills it and
// launches a new one. A Plugin is safe for concurrent use.
type Plugin struct {
	path    string
	client  *plugin.Client // nil over an in-memory connection (tests)
	rpc     pb.DetectorClient
	info    Info
	timeout time.Duration
	lost    atomic.Bool // a call saw the connection gone
}

// Launch starts the plugin executable at path, completes the handshake
// and asks the detector for its Info. A missing file gives an error
// wrapping fs.ErrNotExist, a file that is not executable one wrapping
// fs.ErrPermission, and an executable that is not a detector plugin of
// this ProtocolVersion one wrapping ErrIncompatiblePlugin; each names path.
// The caller must Kill the Plugin when done with it.
func Launch(path string, opts LaunchOptions) (*Plugin, error) {
	abs, err := checkExecutable(path)
	if err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cmd := pluginCommand(abs)
	if cmd.Env, err = pluginEnv(opts.Params); err != nil {
		return nil, fmt.Errorf("plugin %s: %w", path, err)
	}
	stderr := &tailWriter{max: 512}
	c := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		Plugins:          pluginSet(nil),
		Cmd:              cmd,
		SkipHostEnv:      true, // pluginEnv has it, without a stray ParamsEnv
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		StartTimeout:     cmp.Or(opts.StartTimeout, DefaultStartTimeout),
		Logger:           newHCLogger(logger.With("plugin", filepath.Base(path))),
		Stderr:           stderr,
	})
	conn, err := dispense(c)
	if err != nil {
		c.Kill()
		return nil, launchError(path, err, stderr.String())
	}
	p, err := newPlugin(path, conn, opts.CallTimeout)
	if err != nil {
		c.Kill()
		return nil, err
	}
	p.client = c
	return p, nil
}

// pluginEnv is the host's environment for the plugin, with ParamsEnv set
// to params or, when there are none, removed: the host's own value is
// never passed on.
func pluginEnv(params map[string]string) ([]string, error) {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, ParamsEnv+"=") })
	if len(params) == 0 {
		return env, nil
	}
	raw, err := json.Marshal(params)
	if err != nil { // a map of strings always marshals
		return nil, fmt.Errorf("params: %w", err)
	}
	return append(env, ParamsEnv+"="+string(raw)), nil
}

func checkExecutable(path string) (string, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("plugin %s: no such file (check the plugin path): %w", path, fs.ErrNotExist)
	case err != nil:
		return "", fmt.Errorf("plugin %w", err)
	case fi.IsDir():
		return "", fmt.Errorf("plugin %s: is a directory, want an executable: %w", path, ErrIncompatiblePlugin)
	case fi.Mode().Perm()&0o111 == 0:
		return "", notExecutable(path)
	}
	return filepath.Abs(path)
}

func notExecutable(path string) error {
	return fmt.Errorf("plugin %s: permission denied: not executable (chmod +x %s): %w", path, path, fs.ErrPermission)
}

func dispense(c *plugin.Client) (pb.DetectorClient, error) {
	rpc, err := c.Client()
	if err != nil {
		return nil, err
	}
	raw, err := rpc.Dispense(pluginName)
	if err != nil {
		return nil, err
	}
	return raw.(pb.DetectorClient), nil
}

func launchError(path string, err error, stderr string) error {
	if errors.Is(err, fs.ErrPermission) {
		return notExecutable(path)
	}
	if _, msg, ok := strings.Cut(stderr, badParams); ok {
		msg, _, _ = strings.Cut(msg, "\n")
		return fmt.Errorf("plugin %s: %w: %s", path, ErrBadParams, msg)
	}
	// go-plugin follows its headline with generic advice; keep the headline.
	msg, _, _ := strings.Cut(strings.TrimSpace(err.Error()), "\nThis usually means")
	msg = strings.ReplaceAll(msg, "\n", "; ")
	if tail := plainLines(stderr); tail != "" {
		msg += fmt.Sprintf("; its stderr ends %q", tail)
	}
	return fmt.Errorf("plugin %s: %w: want a detector plugin built with sdk.Serve for protocol version %d: %s",
		path, ErrIncompatiblePlugin, ProtocolVersion, msg)
}

// plainLines drops the JSON lines (hclog's, already logged) of a plugin's
// stderr and joins the rest.
func plainLines(stderr string) string {
	var keep []string
	for line := range strings.Lines(stderr) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "{") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, " ")
}

// newPlugin asks the detector behind conn for its Info.
func newPlugin(path string, conn pb.DetectorClient, timeout time.Duration) (*Plugin, error) {
	p := &Plugin{path: path, rpc: conn, timeout: timeout}
	ctx, cancel := p.ctx()
	defer cancel()
	resp, err := conn.Info(ctx, &pb.InfoRequest{})
	if err != nil {
		return nil, p.fail("info", err, ErrInvalidInput)
	}
	p.info = Info{
		Name: resp.GetName(), Version: resp.GetVersion(), Kind: Kind(resp.GetKind()),
		MaxDim: int(resp.GetMaxDim()), Explains: resp.GetExplains(),
	}
	if p.info.Name == "" || (p.info.Kind != Streaming && p.info.Kind != Batch) {
		return nil, fmt.Errorf("plugin %s: describes itself as name %q, kind %v: %w", path, p.info.Name, p.info.Kind, ErrIncompatiblePlugin)
	}
	return p, nil
}

// Factory returns the plugin's detector factory. Its Info was read once at
// Launch; its New creates an instance in the plugin process.
func (p *Plugin) Factory() Factory { return remoteFactory{p} }

// Exited reports whether the plugin process has exited or a call found its
// connection gone. Either way the Plugin is unusable.
func (p *Plugin) Exited() bool {
	return p.lost.Load() || (p.client != nil && p.client.Exited())
}

// Kill stops the plugin process: it asks it to shut down, and kills it
// after two seconds. Calls in flight and later calls fail wrapping
// ErrPluginExited.
func (p *Plugin) Kill() {
	if p.client != nil {
		p.client.Kill()
	}
}

// PID returns the plugin process's id, or 0 if it is not running.
func (p *Plugin) PID() int {
	if p.client == nil || p.client.ReattachConfig() == nil {
		return 0
	}
	return p.client.ReattachConfig().Pid
}

func (p *Plugin) ctx() (context.Context, context.CancelFunc) {
	if p.timeout > 0 {
		return context.WithTimeout(context.Background(), p.timeout)
	}
	return context.Background(), func() {}
}
