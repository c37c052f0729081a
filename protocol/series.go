package protocol

import (
	"sort"
	"strconv"
	"strings"
)

// SeriesName renders a metric name and its labels in the canonical
// Prometheus-like form, labels sorted by name:
//
//	temperature{device="pump-1",site="plant-a"}
//
// The canonical form is the series key everywhere: in alert ids, in the
// agent's state and in API filters.
func SeriesName(metric string, labels map[string]string) string {
	if len(labels) == 0 {
		return metric
	}
	names := make([]string, 0, len(labels))
	for k := range labels {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(metric)
	b.WriteByte('{')
	for i, k := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(labels[k]))
	}
	b.WriteByte('}')
	return b.String()
}
