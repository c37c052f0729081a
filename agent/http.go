package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/agent/uplink"
	"github.com/pynomaly/pynomaly/protocol"
)

type httpServer struct {
	srv *http.Server
	ln  net.Listener
}

// startHTTP binds the local endpoint now, so a port conflict fails start-up
// instead of surfacing later.
func (a *Agent) startHTTP(ob *outbox.Store, up *uplink.Uplink) (*httpServer, error) {
	if a.cfg.HTTP.Listen == "" || a.cfg.HTTP.Listen == "off" {
		return &httpServer{}, nil
	}
	ln, err := net.Listen("tcp", a.cfg.HTTP.Listen)
	if err != nil {
		return nil, fmt.Errorf("http.listen %s: %w", a.cfg.HTTP.Listen, err)
	}
	mux := http.NewServeMux()
	// Uncompressed: a gzip writer holds about 800 KB, kept in a pool
	// between scrapes, to shrink a 12 KB page to 3 KB; on an agent whose
	// whole heap is a few MB when idle, that is the wrong trade.
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{DisableCompression: true}))
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// The agent is ok while it runs; what it needs attention for is
		// in its parts. A replaced outbox file lost data: that degrades it.
		status := protocol.HealthOK
		if a.outboxHealth.Status != protocol.HealthOK {
			status = protocol.HealthDegraded
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"status": status, "agent_id": a.cfg.Agent.ID, "version": a.version,
			"uptime_seconds": time.Since(a.started).Seconds(), "outbox_depth": ob.Depth(),
			"outbox": a.outboxHealth, "inputs": a.health.inputs(), "detectors": a.detectorHealth(),
			"config": a.desired.Status(),
			// For the operator on site; not part of status: an agent
			// without its uplink still detects and buffers, which is its job.
			"uplink": up.Status(),
		})
	})
	if a.cfg.HTTP.Pprof {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	}
	a.logger.Info("local endpoint listening", "addr", ln.Addr().String(), "pprof", a.cfg.HTTP.Pprof)
	return &httpServer{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}, ln: ln}, nil
}

func (h *httpServer) run(ctx context.Context) error {
	if h.srv == nil {
		return nil
	}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.srv.Shutdown(sctx)
	}()
	if err := h.srv.Serve(h.ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("local http: %w", err)
	}
	return nil
}
