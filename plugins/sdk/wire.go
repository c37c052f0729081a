package sdk

import (
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pynomaly/pynomaly/plugins/sdk/internal/pb"
)

// Detector errors cross the plugin boundary as a gRPC status with a
// pb.Failure in its details (ScoreBatch carries the Failure in its
// response), so that errors.Is with the sdk sentinels holds on the host:
//
//	sdk error        gRPC code            Failure.reason
//	ErrInvalidInput  InvalidArgument      REASON_INVALID_INPUT
//	ErrBadSnapshot   InvalidArgument      REASON_BAD_SNAPSHOT
//	ErrNotFitted     FailedPrecondition   REASON_NOT_FITTED
//	any other        Unknown              REASON_UNSPECIFIED
//
// The message is the plugin's err.Error(), unchanged.

// reasons pairs each sentinel with its wire reason, most specific first:
// an error wrapping both ErrBadSnapshot and ErrInvalidInput is a bad
// snapshot.
var reasons = []struct {
	err    error
	reason pb.Reason
	code   codes.Code
}{
	{ErrBadSnapshot, pb.Reason_REASON_BAD_SNAPSHOT, codes.InvalidArgument},
	{ErrNotFitted, pb.Reason_REASON_NOT_FITTED, codes.FailedPrecondition},
	{ErrInvalidInput, pb.Reason_REASON_INVALID_INPUT, codes.InvalidArgument},
}

// toFailure describes a detector error for the wire, with its gRPC code.
func toFailure(err error) (*pb.Failure, codes.Code) {
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return &pb.Failure{Reason: r.reason, Message: err.Error()}, r.code
		}
	}
	return &pb.Failure{Message: err.Error()}, codes.Unknown
}

// toStatus turns a detector error into the error a gRPC handler returns.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	f, code := toFailure(err)
	st, derr := status.New(code, f.Message).WithDetails(f)
	if derr != nil {
		return status.Error(code, f.Message)
	}
	return st.Err()
}

// remoteError is a detector error raised in the plugin: its message is the
// plugin's, and it unwraps to the sentinel the wire reason names.
type remoteError struct {
	msg      string
	sentinel error // nil for REASON_UNSPECIFIED
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.sentinel }

func fromFailure(f *pb.Failure) error {
	e := &remoteError{msg: f.GetMessage()}
	for _, r := range reasons {
		if r.reason == f.GetReason() {
			e.sentinel = r.err
		}
	}
	return e
}

// fromStatus recovers a detector error from a gRPC status. A status
// without a Failure (a plugin in another language) is read by its code:
// InvalidArgument means invalid, the sentinel of the call (ErrBadSnapshot
// for Unmarshal, ErrInvalidInput otherwise). It returns nil for statuses
// that are not detector errors.
func fromStatus(st *status.Status, invalid error) error {
	for _, d := range st.Details() {
		if f, ok := d.(*pb.Failure); ok {
			return fromFailure(f)
		}
	}
	switch st.Code() {
	case codes.InvalidArgument:
		return &remoteError{msg: st.Message(), sentinel: invalid}
	case codes.FailedPrecondition:
		return &remoteError{msg: st.Message(), sentinel: ErrNotFitted}
	case codes.Unknown:
		return &remoteError{msg: st.Message()}
	}
	return nil
}
