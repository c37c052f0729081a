package offline

import (
	"errors"
	"fmt"
	"io"

	"github.com/pynomaly/pynomaly/agent/input"
	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// ModelOptions says what to learn a model from.
type ModelOptions struct {
	Path           string
	Format         input.Format
	TimestampField string
	// Fields are the value fields: one for a univariate model, several for
	// a multivariate one (Multivariate), in the order the input has them.
	Fields       []string
	Multivariate bool
	Separator    rune
	// Factory must be the detector exactly as the agent's input builds it
	// (detectors.BuildSpec of its detector section): a model is that
	// detector's state, and restores only into the same detector.
	Factory sdk.Factory
}

// BuildModel streams the file's rows through one detector instance, as an
// agent's series would, and returns its state: a model that an input's
// series can start from (protocol.ModelAssignment).
func BuildModel(opts ModelOptions) ([]byte, Summary, error) {
	switch {
	case len(opts.Fields) == 0:
		return nil, Summary{}, errors.New("name the value column(s) the model is for")
	case !opts.Multivariate && len(opts.Fields) != 1:
		return nil, Summary{}, fmt.Errorf("a univariate model learns one column, not %d (or build a multivariate one)", len(opts.Fields))
	}
	rd, err := input.OpenFile(opts.Path, input.FileOptions{
		Format: opts.Format, TimestampField: opts.TimestampField, Fields: opts.Fields, Separator: opts.Separator,
	})
	if err != nil {
		return nil, Summary{}, err
	}
	defer func() { _ = rd.Close() }()
	d, err := opts.Factory.New(len(opts.Fields))
	if err != nil {
		return nil, Summary{}, err
	}
	var sum Summary
	for {
		b, err := rd.Next(1024)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, sum, err
		}
		sum.Bad = append(sum.Bad, b.Bad...)
		for _, rec := range b.Records {
			if _, err := d.Score(rec.Values); err != nil {
				return nil, sum, fmt.Errorf("line %d: %w", rec.Line, err)
			}
			sum.Rows++
		}
	}
	if sum.Rows == 0 {
		return nil, sum, errors.New("no valid rows to learn from")
	}
	b, err := d.MarshalBinary()
	return b, sum, err
}
