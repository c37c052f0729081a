package sdk

import (
	"errors"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestErrorsRoundTrip(t *testing.T) {
	other := errors.New("disk on fire")
	tests := []struct {
		name    string
		sent    error // by the plugin: through toStatus
		status  error // or by a plugin in another language
		invalid error // what InvalidArgument means in this call
		want    error // sentinel on the host, nil for none
		code    codes.Code
	}{
		{"invalid input", fmt.Errorf("value 0 is NaN: %w", ErrInvalidInput), nil, ErrInvalidInput, ErrInvalidInput, codes.InvalidArgument},
		{"bad snapshot", fmt.Errorf("truncated: %w", ErrBadSnapshot), nil, ErrInvalidInput, ErrBadSnapshot, codes.InvalidArgument},
		{"bad snapshot wins", fmt.Errorf("%w: %w", ErrInvalidInput, ErrBadSnapshot), nil, ErrInvalidInput, ErrBadSnapshot, codes.InvalidArgument},
		{"not fitted", ErrNotFitted, nil, ErrInvalidInput, ErrNotFitted, codes.FailedPrecondition},
		{"other", other, nil, ErrInvalidInput, nil, codes.Unknown},
		{"bare InvalidArgument", nil, status.Error(codes.InvalidArgument, "bad"), ErrInvalidInput, ErrInvalidInput, codes.InvalidArgument},
		{"bare InvalidArgument from Unmarshal", nil, status.Error(codes.InvalidArgument, "bad"), ErrBadSnapshot, ErrBadSnapshot, codes.InvalidArgument},
		{"bare FailedPrecondition", nil, status.Error(codes.FailedPrecondition, "no model"), ErrInvalidInput, ErrNotFitted, codes.FailedPrecondition},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wire := tc.status
			if tc.sent != nil {
				wire = toStatus(tc.sent)
			}
			st := status.Convert(wire)
			if st.Code() != tc.code {
				t.Errorf("code %v, want %v", st.Code(), tc.code)
			}
			got := fromStatus(st, tc.invalid)
			if got == nil {
				t.Fatal("not recognised as a detector error")
			}
			for _, s := range []error{ErrInvalidInput, ErrBadSnapshot, ErrNotFitted} {
				if errors.Is(got, s) != (s == tc.want) {
					t.Errorf("errors.Is(%v, %v) = %v", got, s, !(s == tc.want))
				}
			}
			if tc.sent != nil && got.Error() != tc.sent.Error() {
				t.Errorf("message %q, want the plugin's %q", got, tc.sent)
			}
		})
	}
}

func TestTransportStatusesAreNotDetectorErrors(t *testing.T) {
	for _, c := range []codes.Code{codes.Unavailable, codes.Canceled, codes.DeadlineExceeded, codes.NotFound, codes.Internal, codes.Unimplemented} {
		if err := fromStatus(status.New(c, "x"), ErrInvalidInput); err != nil {
			t.Errorf("%v read as the detector error %v", c, err)
		}
	}
}
