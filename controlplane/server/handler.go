package server

import (
	"database/sql"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/pynomaly/pynomaly/controlplane/api"
	"github.com/pynomaly/pynomaly/controlplane/desired"
	"github.com/pynomaly/pynomaly/controlplane/ingest"
)

func newRegistry(st interface{ DBStats() sql.DBStats }) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "pynomaly_db_connections",
			Help: "Open connections to the store's database.",
		}, func() float64 { return float64(st.DBStats().OpenConnections) }),
	)
	return reg
}

func newHandler(s *Server, in *ingest.Ingester, ds *desired.Store, reg *prometheus.Registry, fleet *api.Fleet) (http.Handler, error) {
	return api.New(api.Options{
		Store:   s.store,
		Desired: ds,
		Fleet:   fleet,
		Auth:    &api.Auth{Keys: s.keys, Users: s.store},
		Checks: []api.Check{
			{Name: "nats", Ready: s.natsReady},
			{Name: "consumer", Ready: in.Ready},
		},
		Policies:       s.policies(ds, fleet), // sets fleet.Changed
		Gatherer:       reg,
		Registerer:     reg,
		Logger:         s.logger,
		RateLimit:      s.opts.RateLimit,
		CORSOrigins:    s.opts.CORSOrigins,
		TrustedProxies: s.opts.TrustedProxies,
	})
}
