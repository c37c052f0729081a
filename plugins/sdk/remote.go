package sdk

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pynomaly/pynomaly/plugins/sdk/internal/pb"
)

// remoteFactory is a Plugin's Factory.
type remoteFactory struct{ p *Plugin }

func (f remoteFactory) Info() Info { return f.p.info }

// New creates an instance in the plugin. The Detector it returns also
// implements Fitter and Explainer when the plugin's instance does, and
// io.Closer: Close frees the instance in the plugin. An instance the host
// drops without Close is freed when it is garbage collected.
func (f remoteFactory) New(dim int) (Detector, error) {
	ctx, cancel := f.p.ctx()
	defer cancel()
	resp, err := f.p.rpc.New(ctx, &pb.NewRequest{Dim: int64(dim)})
	if err != nil {
		return nil, f.p.fail("new", err, ErrInvalidInput)
	}
	r := &remote{p: f.p, id: resp.GetInstance(), dim: dim}
	r.cleanup = runtime.AddCleanup(r, closeDropped, instanceRef{f.p, r.id})
	switch {
	case resp.GetFitter() && resp.GetExplainer():
		return remoteFitExplainer{r}, nil
	case resp.GetFitter():
		return remoteFitter{r}, nil
	case resp.GetExplainer():
		return remoteExplainer{r}, nil
	}
	return r, nil
}

type instanceRef struct {
	p  *Plugin
	id uint64
}

// closeDropped frees a dropped instance in the plugin. It runs on the
// runtime's cleanup goroutine, which it must not block.
func closeDropped(ref instanceRef) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = ref.p.rpc.Close(ctx, &pb.CloseRequest{Instance: ref.id})
	}()
}

// fail turns a failed call's error into the error the caller sees: the
// detector's own error as the plugin raised it, or a transport error
// naming the plugin and the call.
func (p *Plugin) fail(op string, err error, invalid error) error {
	st := status.Convert(err)
	if p.client != nil && p.client.Exited() {
		p.lost.Store(true)
		return fmt.Errorf("plugin %s: %s: %w", p.path, op, ErrPluginExited)
	}
	if derr := fromStatus(st, invalid); derr != nil {
		return derr
	}
	switch st.Code() {
	case codes.Unavailable, codes.Canceled:
		p.lost.Store(true)
		return fmt.Errorf("plugin %s: %s: %w (%s)", p.path, op, ErrPluginExited, st.Message())
	case codes.DeadlineExceeded:
		return fmt.Errorf("plugin %s: %s: no answer within %s: %w", p.path, op, p.timeout, context.DeadlineExceeded)
	}
	return fmt.Errorf("plugin %s: %s: %s: %s", p.path, op, st.Code(), st.Message())
}
