package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration prometheus.Histogram
}

// newMetrics registers the production guide's request metrics.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pynomaly_requests_total",
			Help: "HTTP requests served, by method, route template and status code.",
		}, []string{"method", "endpoint", "status"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "pynomaly_request_duration_seconds",
			Help:    "HTTP request duration in seconds.",
			Buckets: prometheus.DefBuckets,
		}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.requests, m.duration} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("api: register metrics: %w", err)
			}
		}
	}
	return m, nil
}

func (m *metrics) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		// The route template, not the raw path, keeps label cardinality
		// bounded whatever clients send.
		endpoint := c.FullPath()
		if endpoint == "" {
			endpoint = "unmatched"
		}
		m.requests.WithLabelValues(methodLabel(c.Request.Method), endpoint, strconv.Itoa(c.Writer.Status())).Inc()
		m.duration.Observe(time.Since(start).Seconds())
	}
}

// methodLabel bounds the method label: clients can send any token as a
// method, and each would otherwise become a new time series.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}
