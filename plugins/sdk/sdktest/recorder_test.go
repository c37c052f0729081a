package sdktest

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
)

// recorder is a fake testing.T: it runs subtests on their own goroutines,
// as testing does, so that Fatalf and Skipf can end them with Goexit, and
// records every failure under the name of its top-level check.
type recorder struct {
	log  *failures
	path string // "score_range/dim=1"
}

type failures struct {
	mu   sync.Mutex
	msgs map[string][]string // top-level check name ("" for Run itself) -> messages
}

func newRecorder() *recorder { return &recorder{log: &failures{msgs: map[string][]string{}}} }

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	check, _, _ := strings.Cut(r.path, "/")
	msg := fmt.Sprintf(format, args...)
	r.log.mu.Lock()
	defer r.log.mu.Unlock()
	r.log.msgs[check] = append(r.log.msgs[check], r.path+": "+msg)
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Skipf(string, ...any) { runtime.Goexit() }

func (r *recorder) Run(name string, fn func(reporter)) bool {
	child := &recorder{log: r.log, path: strings.TrimPrefix(r.path+"/"+name, "/")}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(child)
	}()
	<-done
	return true
}

// failed returns the checks that failed.
func (r *recorder) failed() map[string][]string {
	r.log.mu.Lock()
	defer r.log.mu.Unlock()
	return r.log.msgs
}
