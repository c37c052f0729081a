package payload

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/pynomaly/pynomaly/agent/input"
)

// senmlFormat reads RFC 8428 SenML JSON: an array of records whose base
// fields (bn, bt, bv, bu, bver) carry over to the records after them.
// Records with the same resolved time make one sample.
type senmlFormat struct{}

// senmlRelative is 2^28 s: RFC 8428 reads resolved times below it as
// relative to now, which here is the time the message was received.
const senmlRelative = 1 << 28

// senmlVersion is the highest SenML version understood (RFC 8428's).
const senmlVersion = 10

// senmlBase is the base state while resolving a pack.
type senmlBase struct {
	name  string
	time  float64
	value float64
}

// senmlGroup is the sample being built for one resolved time.
type senmlGroup struct {
	time   time.Time
	fields []influxField // reuses the name/value pair
	names  map[string]bool
}

func (senmlFormat) parse(b []byte, received time.Time, dst []Sample) ([]Sample, *Error) {
	var pack []map[string]json.RawMessage
	err := json.Unmarshal(b, &pack)
	if te := (*json.UnmarshalTypeError)(nil); errors.As(err, &te) {
		return dst, newError(input.ReasonMalformed, "SenML wants an array of record objects, found JSON %s", te.Value)
	}
	if err != nil {
		return dst, newError(input.ReasonMalformed, "invalid JSON: %v", err)
	}
	if len(pack) == 0 {
		return dst, newError(input.ReasonMissingValue, "SenML pack has no records")
	}
	received = received.Round(0).UTC() // comparable as a map key
	var (
		base   senmlBase
		bad    skipped
		groups []*senmlGroup
		byTime = map[time.Time]*senmlGroup{}
	)
	for i, rec := range pack {
		if e := base.update(rec); e != nil {
			// Later records depend on the base fields: the pack is unusable.
			return dst, e.at("record %d", i+1)
		}
		name, t, v, numeric, e := base.resolve(rec, received)
		if e != nil {
			bad.add(e.at("record %d", i+1))
		}
		if !numeric {
			continue
		}
		g := byTime[t]
		if g == nil {
			g = &senmlGroup{time: t, names: map[string]bool{}}
			byTime[t] = g
			groups = append(groups, g)
		}
		if g.names[name] {
			bad.add(newError(input.ReasonMalformed, "record %d: name %s repeated at the same time", i+1, quote(name)))
			continue
		}
		g.names[name] = true
		g.fields = append(g.fields, influxField{name, v})
	}
	for _, g := range groups {
		dst = append(dst, g.sample())
	}
	if len(groups) == 0 && bad.first == nil {
		return dst, newError(input.ReasonNonNumeric, "no record has a numeric value \"v\"")
	}
	return dst, bad.err()
}

func (g *senmlGroup) sample() Sample {
	slices.SortFunc(g.fields, func(a, b influxField) int { return strings.Compare(a.name, b.name) })
	s := Sample{Timestamp: g.time, Fields: make([]string, len(g.fields)), Values: make([]float64, len(g.fields))}
	for i, f := range g.fields {
		s.Fields[i], s.Values[i] = f.name, f.value
	}
	return s
}
