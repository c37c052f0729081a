package agent

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pynomaly/pynomaly/agent/config"
	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/agent/outbox"
	"github.com/pynomaly/pynomaly/agent/pipeline"
	"github.com/pynomaly/pynomaly/protocol"
)

// A tailer is one run of a file input. It groups the files it reads into
// streams, one per path: the file at the path, and before it any file
// rotated away from the path (renamed or removed) that still has lines to
// read. A stream's files are read in that order into one pipeline, so its
// series see their points in order and keep their detector state across
// rotations.
//
// Files are known by identity (device and inode), not by name, and each has
// its own checkpoint, keyed <input>/<identity>, holding the offset, the
// path the file was read under and a fingerprint of the bytes before the
// offset (Source "path#crc32"). So a restarted agent resumes every file
// where it was, finds a file rotated while it was stopped (by the glob, or
// in the path's directory) and reads it to its end first, and does not
// take a new file in a reused inode for the old one. Checkpoints of files
// that are neither open nor found any more are dropped.
//
// A tailer is used by one goroutine.
type tailer struct {
	r    *fileRunner
	fc   *config.FileInput
	opts input.FileOptions
	glob bool

	streams map[string]*fileStream // by path
	open    map[string]*tailFile   // by identity
	// closed are the files read to their end in this run, by identity,
	// so a scan does not open them again under another name.
	closed map[string]bool
	// failed are the paths whose stream failed, by path; they are tried
	// again after retryOpen.
	failed map[string]failure
	// missing is why the path gave no file at the last scan, or nil.
	missing error

	// checkpoints are the committed positions, by identity.
	checkpoints map[string]outbox.Position
	// pending and drop go out with the next commit: positions taken
	// without reading (read_from: end), and checkpoint keys to remove.
	pending map[string]outbox.Position
	drop    []string

	lastScan time.Time
}

// fileStream is the files read under one path, the head first.
type fileStream struct {
	path   string
	files  []*tailFile
	pf     *pipelineFactory
	p      *pipeline.Pipeline
	fields []string
	// done: every file was read to its end (follow: false).
	done bool
}

// tailFile is one open file.
type tailFile struct {
	id   string
	name string // the path it was opened under
	rd   *input.Reader
	// offset is where reading stands, for counting bytes.
	offset int64
	// rotated: the file is no longer at its stream's path.
	rotated bool
	// idleSince is when the file was last found at its end with nothing
	// new, zero while it is being read.
	idleSince time.Time
}

type failure struct {
	err   error
	until time.Time
}

func (r *fileRunner) newTailer() (*tailer, error) {
	opts, err := r.fileOptions()
	if err != nil {
		return nil, err
	}
	fc := r.cfg.File
	t := &tailer{r: r, fc: fc, opts: opts, glob: fc.IsGlob(),
		streams: map[string]*fileStream{}, open: map[string]*tailFile{}, closed: map[string]bool{},
		failed: map[string]failure{}, checkpoints: map[string]outbox.Position{}, pending: map[string]outbox.Position{}}
	cps, err := r.ob.CheckpointsWithPrefix(r.cfg.Name + "/")
	if err != nil {
		return nil, err
	}
	for k, pos := range cps {
		t.checkpoints[strings.TrimPrefix(k, r.cfg.Name+"/")] = pos
	}
	// Agents before per-file checkpoints kept one per input, whose Source
	// was "path@identity".
	if pos, ok, err := r.ob.Checkpoint(r.cfg.Name); err != nil {
		return nil, err
	} else if ok {
		if i := strings.LastIndexByte(pos.Source, '@'); i >= 0 && t.checkpoints[pos.Source[i+1:]] == (outbox.Position{}) {
			t.checkpoints[pos.Source[i+1:]] = outbox.Position{Offset: pos.Offset, Line: pos.Line, Source: pos.Source[:i]}
		}
		t.drop = append(t.drop, r.cfg.Name)
	}
	return t, nil
}

func (t *tailer) key(id string) string { return t.r.cfg.Name + "/" + id }

// close closes every file and frees the detectors.
func (t *tailer) close() {
	for _, s := range t.streams {
		t.closeStream(s)
	}
}

// closeStream closes s's files, which a later scan may open again from
// their checkpoints (after a failure).
func (t *tailer) closeStream(s *fileStream) {
	for len(s.files) > 0 {
		t.closeHead(s, false)
	}
	if s.pf != nil {
		s.pf.closeInstances()
	}
	delete(t.streams, s.path)
}

// closeHead closes s's first file; a finished one (read to its end, or
// rotated and idle) is not opened again in this run.
func (t *tailer) closeHead(s *fileStream, finished bool) {
	f := s.files[0]
	_ = f.rd.Close() // read-only: nothing is lost
	s.files = s.files[1:]
	delete(t.open, f.id)
	if finished {
		t.closed[f.id] = true
	}
}

// finished reports whether every file found was read to its end.
func (t *tailer) finished() bool {
	if len(t.streams) == 0 {
		return false // nothing found yet: wait for it
	}
	for _, s := range t.streams {
		if !s.done {
			return false
		}
	}
	return true
}

// scan looks for files at the path, opens the new ones, drops the
// checkpoints of files gone, and reports the input's health.
func (t *tailer) scan() {
	t.lastScan = time.Now()
	found := t.match()
	byName := make(map[string]string, len(found))
	for id, name := range found {
		byName[name] = id
	}
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		t.discover(byName[name], name, found)
	}
	for id := range t.checkpoints {
		if t.open[id] == nil && found[id] == "" {
			t.drop = append(t.drop, t.key(id))
			delete(t.checkpoints, id)
		}
	}
	for id := range t.closed {
		if found[id] == "" {
			delete(t.closed, id)
		}
	}
	for path := range t.failed {
		if _, ok := byName[path]; !ok {
			delete(t.failed, path)
		}
	}
	t.r.scanned = true
	t.updateHealth()
	t.updateLag()
}

// match returns the regular files at the path now, by identity.
func (t *tailer) match() map[string]string {
	names := []string{t.fc.Path}
	t.missing = nil
	if t.glob {
		names, _ = filepath.Glob(t.fc.Path) // the pattern was validated
		if len(names) == 0 {
			t.missing = fmt.Errorf("no file matches %s (waiting for one)", t.fc.Path)
		}
	}
	found := make(map[string]string, len(names))
	for _, name := range names {
		fi, err := os.Stat(name)
		switch {
		case err != nil && !t.glob:
			t.missing = err // "stat PATH: no such file or directory"
		case err != nil: // gone since the glob
		case fi.Mode().IsRegular():
			found[fileID(name, fi)] = name
		case !t.glob:
			t.missing = fmt.Errorf("%s is not a regular file", name)
		}
	}
	return found
}

// discover handles a file found at name: a file not open yet joins the
// stream of the path it was read under before (after a rotation), or the
// stream of its own path.
func (t *tailer) discover(id, name string, found map[string]string) {
	if t.open[id] != nil || t.closed[id] {
		return
	}
	path := name
	if p, _, ok := parseSource(t.checkpoints[id].Source); ok && p != "" {
		path = p
	}
	if s := t.streams[path]; s != nil {
		if path == name { // the new file at the path, after the rotated one
			t.attach(s, name, false)
		}
		return // rotated away from s's path and already read
	}
	if f, ok := t.failed[path]; ok && time.Now().Before(f.until) {
		return
	}
	t.openStream(path, found)
}

// openStream starts reading under path: first the files rotated away from
// it with lines left, then the file at it.
func (t *tailer) openStream(path string, found map[string]string) {
	s := &fileStream{path: path}
	t.streams[path] = s
	for _, id := range slices.Sorted(maps.Keys(t.checkpoints)) {
		p, _, _ := parseSource(t.checkpoints[id].Source)
		name := found[id]
		if p != path || name == path || t.open[id] != nil {
			continue
		}
		if name == "" { // not matched by the pattern: look beside the path
			name = findByID(filepath.Dir(path), id)
		}
		if name != "" && !t.attach(s, name, false) {
			return
		}
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		if !t.attach(s, path, t.fc.ReadFrom == config.ReadFromEnd && !t.r.scanned) {
			return
		}
	}
	if len(s.files) == 0 {
		delete(t.streams, path)
		return
	}
	delete(t.failed, path)
}

// findByID returns the file in dir with identity id, or "".
func findByID(dir, id string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	for _, e := range entries {
		name := filepath.Join(dir, e.Name())
		if fi, err := os.Stat(name); err == nil && fi.Mode().IsRegular() && fileID(name, fi) == id {
			return name
		}
	}
	return ""
}

// attach opens name and adds it to s, positioned at its checkpoint (or its
// end, with fromEnd and no checkpoint). A rotated file with nothing left is
// not added. On failure the stream fails and attach returns false.
func (t *tailer) attach(s *fileStream, name string, fromEnd bool) bool {
	rd, err := input.OpenFile(name, t.opts)
	if errors.Is(err, fs.ErrNotExist) {
		return true // gone since the scan
	}
	if err != nil {
		t.fail(s, err)
		return false
	}
	fi, err := rd.Stat()
	if err != nil {
		_ = rd.Close()
		t.fail(s, err)
		return false
	}
	f := &tailFile{id: fileID(name, fi), name: name, rd: rd, rotated: name != s.path}
	if t.open[f.id] != nil { // renamed between the scan and the open
		_ = rd.Close()
		return true
	}
	if err := t.position(f, s.path, fromEnd); err != nil {
		_ = rd.Close()
		t.fail(s, err)
		return false
	}
	if f.rotated && f.offset >= fi.Size() {
		_ = rd.Close()
		return true
	}
	s.files = append(s.files, f)
	t.open[f.id] = f
	return true
}

// position moves f to its checkpoint, if it has one that is its own.
func (t *tailer) position(f *tailFile, path string, fromEnd bool) error {
	log := t.r.logger.With("file", f.name)
	cp, ok := t.checkpoints[f.id]
	if !ok {
		if !fromEnd {
			return nil
		}
		offset, line, err := f.rd.SeekEnd()
		if err != nil {
			return err
		}
		// Committed with the next round, so that a restart before any new
		// line does not skip the lines written in between.
		f.offset = offset
		if pos := t.positionOf(f, path, input.Batch{Offset: offset, Line: line}); pos.Source != "" {
			t.pending[t.key(f.id)] = pos
		}
		log.Info("reading the file from its end", "line", line, "offset", offset)
		return nil
	}
	if _, sum, ok := parseSource(cp.Source); ok && sum != nil {
		if got, err := f.rd.Fingerprint(cp.Offset); err != nil || got != *sum {
			log.Warn("file is not the one checkpointed (rewritten, or a new file in a reused inode); reading it from the start",
				"offset", cp.Offset)
			return nil
		}
	}
	err := f.rd.Resume(cp.Offset, cp.Line)
	if errors.Is(err, input.ErrTruncated) {
		log.Warn("file is shorter than the checkpoint (truncated or replaced); reading it from the start", "offset", cp.Offset)
		return f.rd.Resume(0, 0)
	}
	if err == nil {
		f.offset = cp.Offset
		log.Info("resuming input", "line", cp.Line, "offset", cp.Offset)
	}
	return err
}

// fail closes s, to be tried again after retryOpen, and reports it.
func (t *tailer) fail(s *fileStream, err error) {
	t.closeStream(s)
	t.failed[s.path] = failure{err: err, until: time.Now().Add(retryOpen)}
	t.r.warn("file:"+s.path, "input file failed; retrying it", err)
	t.updateHealth()
}

func (t *tailer) updateHealth() {
	var failed error
	for _, path := range slices.Sorted(maps.Keys(t.failed)) {
		failed = t.failed[path].err
		break
	}
	switch {
	case failed != nil && (!t.glob || len(t.streams) == 0):
		t.r.a.health.set(t.r.cfg.Name, protocol.HealthFailed, failed)
	case failed != nil:
		t.r.a.health.set(t.r.cfg.Name, protocol.HealthDegraded, failed)
	case len(t.streams) == 0 && t.missing != nil:
		t.r.a.health.set(t.r.cfg.Name, protocol.HealthFailed, t.missing)
	default:
		t.r.a.health.set(t.r.cfg.Name, protocol.HealthOK, nil)
	}
}

// updateLag publishes how many files are open and how far behind their
// writers they are.
func (t *tailer) updateLag() {
	var behind int64
	for _, f := range t.open {
		if size, err := f.rd.Size(); err == nil && size > f.offset {
			behind += size - f.offset
		}
	}
	m := t.r.a.metrics
	m.files.WithLabelValues(t.r.cfg.Name).Set(float64(len(t.open)))
	m.behind.WithLabelValues(t.r.cfg.Name).Set(float64(behind))
}

// round reads a batch from every stream, scores them, and commits them
// with their files' positions in one transaction. It returns the lines
// read. An error fails the run: the pipelines are ahead of the outbox.
func (t *tailer) round(limit int) (int, error) {
	c := outbox.Commit{Checkpoints: t.pending, DropCheckpoints: t.drop, States: map[string][]byte{}}
	var bad []input.BadRecord
	var rows, records, alerts int
	var bytes int64
	for _, path := range slices.Sorted(maps.Keys(t.streams)) {
		s := t.streams[path]
		if s == nil || s.done {
			continue
		}
		f, b, err := t.next(s, limit)
		if err != nil {
			t.fail(s, err)
			continue
		}
		if f == nil {
			continue
		}
		pos := t.positionOf(f, path, b)
		if pos.Source == "" {
			t.fail(s, fmt.Errorf("fingerprint of %s: the file changed under the reader", f.name))
			continue
		}
		if len(b.Records) > 0 {
			p, err := t.pipeline(s, f)
			if err != nil {
				return 0, err
			}
			res, err := p.Process(b.Records)
			if err == nil {
				err = s.pf.Lost()
			}
			if err != nil {
				return 0, err
			}
			c.Entries = append(c.Entries, res.Entries...)
			maps.Copy(c.States, res.States)
			alerts += res.Alerts
			bad = append(bad, res.Bad...)
			records -= len(res.Bad)
		}
		c.Checkpoints[t.key(f.id)] = pos
		bad = append(bad, b.Bad...)
		rows += len(b.Records) + len(b.Bad)
		records += len(b.Records)
		bytes += b.Offset - f.offset
		f.offset = b.Offset
	}
	if len(c.Checkpoints) == 0 && len(c.DropCheckpoints) == 0 {
		return rows, nil
	}
	if err := t.r.ob.Commit(c); err != nil {
		return 0, err
	}
	for k, pos := range c.Checkpoints {
		t.checkpoints[strings.TrimPrefix(k, t.r.cfg.Name+"/")] = pos
	}
	t.pending, t.drop = map[string]outbox.Position{}, nil
	t.r.a.alertOut.send(c.Entries)
	// Counted once committed: a failed batch is read again.
	t.r.countBad(bad, "record")
	m, name := t.r.a.metrics, t.r.cfg.Name
	m.records.WithLabelValues(name).Add(float64(records))
	m.alerts.WithLabelValues(name).Add(float64(alerts))
	m.bytes.WithLabelValues(name).Add(float64(bytes))
	return rows, nil
}

// positionOf is f's checkpoint after batch b, or one with an empty Source
// if the file cannot be read for its fingerprint.
func (t *tailer) positionOf(f *tailFile, path string, b input.Batch) outbox.Position {
	sum, err := f.rd.Fingerprint(b.Offset)
	if err != nil {
		return outbox.Position{}
	}
	return outbox.Position{Offset: b.Offset, Line: b.Line, Source: fmt.Sprintf("%s#%08x", path, sum)}
}

// next reads the next batch of s: from its head file, or, when the head is
// done (read to its end without follow, or rotated and idle for
// rotate_wait), from the file after it. It returns a nil file when there
// is nothing to read now. A batch may be empty when only the position
// moved (past blank lines).
func (t *tailer) next(s *fileStream, limit int) (*tailFile, input.Batch, error) {
	for len(s.files) > 0 {
		f := s.files[0]
		b, err := f.rd.Next(limit)
		switch {
		case err == nil:
			f.idleSince = time.Time{}
			return f, b, nil
		case errors.Is(err, input.ErrTruncated): // copytruncate rotation
			t.r.logger.Warn("file was truncated; reading it from the start", "file", f.name)
			t.r.a.metrics.rotations.WithLabelValues(t.r.cfg.Name).Inc()
			f.offset = 0
			return nil, input.Batch{}, f.rd.Resume(0, 0)
		case !errors.Is(err, io.EOF):
			return nil, input.Batch{}, err
		case b.Offset != f.offset:
			return f, b, nil
		}
		if t.fc.Follow && !t.rotatedAway(s, f) {
			return nil, input.Batch{}, nil
		}
		if t.fc.Follow {
			if f.idleSince.IsZero() {
				f.idleSince = time.Now()
			}
			if time.Since(f.idleSince) < t.fc.RotateWait {
				return nil, input.Batch{}, nil
			}
		}
		t.closeHead(s, true)
	}
	if t.fc.Follow {
		t.closeStream(s) // its path is empty; a scan opens what comes next
	} else {
		s.done = true
	}
	return nil, input.Batch{}, nil
}

// rotatedAway reports whether f, at its end, is no longer the file at its
// stream's path, noting the rotation the first time.
func (t *tailer) rotatedAway(s *fileStream, f *tailFile) bool {
	if !f.rotated {
		fi, err := os.Stat(s.path)
		if err == nil && fileID(s.path, fi) == f.id {
			return false
		}
		f.rotated = true
		t.r.a.metrics.rotations.WithLabelValues(t.r.cfg.Name).Inc()
		t.r.logger.Info("file was rotated; reading what is left of it before the next", "file", s.path,
			"rotate_wait", t.fc.RotateWait)
	}
	return true
}

// pipeline returns s's pipeline for f's fields, made anew when they change
// (a CSV header that arrived late, or a rotated file with other columns).
func (t *tailer) pipeline(s *fileStream, f *tailFile) (*pipeline.Pipeline, error) {
	fields := f.rd.Fields()
	if s.p != nil && slices.Equal(s.fields, fields) {
		return s.p, nil
	}
	if s.pf == nil {
		pf, err := newPipelineFactory(t.r.src)
		if err != nil {
			return nil, err
		}
		s.pf = pf
	}
	s.pf.closeInstances()
	var extra map[string]string
	if t.glob {
		extra = map[string]string{config.FileLabel: s.path}
	}
	s.fields, s.p = fields, t.r.newPipelineWith(fields, s.pf, extra)
	return s.p, nil
}

// parseSource splits a checkpoint's Source, "path#crc32" (before
// fingerprints: "path"), into the path and the fingerprint, if any.
func parseSource(src string) (path string, sum *uint32, ok bool) {
	if src == "" {
		return "", nil, false
	}
	if i := strings.LastIndexByte(src, '#'); i >= 0 && len(src)-i == 9 {
		if v, err := strconv.ParseUint(src[i+1:], 16, 32); err == nil {
			s := uint32(v)
			return src[:i], &s, true
		}
	}
	return src, nil, true
}

// pathID stands in for an identity where there is no inode.
func pathID(path string) string { return fmt.Sprintf("p%08x", crc32.ChecksumIEEE([]byte(path))) }
