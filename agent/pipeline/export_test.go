package pipeline

// SetDropStale turns Options.DropStale on for a pipeline made by a test
// helper that does not set it.
func (p *Pipeline) SetDropStale() { p.opts.DropStale = true }
