package decision

// State is one series' decision state. The zero value is idle and ready to
// use.
type State struct {
	firing bool
	// run counts anomalous points in a row while idle and normal points in
	// a row while firing; reaching Consecutive or ClearAfter resets it.
	run int
}

// Observe feeds the next score of the series and reports whether this point
// raises a new alert. Zero fields of o take their defaults, so an
// unvalidated Options behaves like a validated one.
func (s *State) Observe(score float64, o Options) (raise bool) {
	return s.Step(score >= o.withDefaults().Threshold, o)
}

// Step is Observe for a point already judged anomalous or normal, by a
// threshold policy that learns (see plugins/threshold); o.Threshold is not
// used.
func (s *State) Step(anomalous bool, o Options) (raise bool) {
	o = o.withDefaults()
	if s.firing {
		s.observeFiring(anomalous, o.ClearAfter)
		return false
	}
	if !anomalous {
		s.run = 0
		return false
	}
	s.run++
	// >= rather than ==, so a state saved under a larger Consecutive
	// still raises after the option shrinks.
	if s.run >= o.Consecutive {
		s.firing, s.run = true, 0
		return true
	}
	return false
}

func (s *State) observeFiring(anomalous bool, clearAfter int) {
	if anomalous {
		s.run = 0
		return
	}
	s.run++
	if s.run >= clearAfter {
		s.firing, s.run = false, 0
	}
}

// Firing reports whether an incident is open: an alert was raised and
// fewer than ClearAfter normal points in a row have followed.
func (s *State) Firing() bool { return s.firing }
