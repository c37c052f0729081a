package broker

import (
	"fmt"
	"log/slog"
)

// slogAdapter routes nats-server's printf-style logger into slog, so the
// server's lines share the control plane's format and destination.
type slogAdapter struct {
	logger *slog.Logger
	// fatal receives the first fatal message (buffered, never blocks): the
	// embedded server reports a failure to listen only through Fatalf.
	fatal chan string
}

func newSlogAdapter(logger *slog.Logger) *slogAdapter {
	return &slogAdapter{logger: logger, fatal: make(chan string, 1)}
}

// Notices (the start-up banner, listen addresses) go to debug: the control
// plane logs its own start line with what an operator needs.
func (a *slogAdapter) Noticef(format string, v ...any) { a.logger.Debug(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Warnf(format string, v ...any)   { a.logger.Warn(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Errorf(format string, v ...any)  { a.logger.Error(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Debugf(format string, v ...any)  { a.logger.Debug(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Tracef(format string, v ...any)  { a.logger.Debug(fmt.Sprintf(format, v...)) }

// Fatalf logs and, unlike nats-server's own logger, does not exit: the
// control plane decides. Start watches the fatal channel to fail fast.
func (a *slogAdapter) Fatalf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	a.logger.Error(msg)
	select {
	case a.fatal <- msg:
	default:
	}
}
