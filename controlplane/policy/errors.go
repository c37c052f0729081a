package policy

import "errors"

// InvalidError is a policy refused for what it holds; the API answers it
// with 400.
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return e.Err.Error() }
func (e *InvalidError) Unwrap() error { return e.Err }

// ErrUnknownModel: a policy names a model version the model store lacks.
var ErrUnknownModel = errors.New("unknown model version")

// errConflict: the agent's desired state changed between reading it and
// writing it back.
var errConflict = errors.New("desired state changed meanwhile")
