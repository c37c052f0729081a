package sdk

import (
	"context"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pynomaly/pynomaly/plugins/sdk/internal/pb"
)

// server serves a Factory's instances on the plugin side. The host calls
// different instances concurrently and one instance never concurrently;
// each instance has a mutex all the same, so a misbehaving host cannot race
// a detector.
type server struct {
	pb.UnimplementedDetectorServer
	factory Factory

	mu        sync.Mutex
	last      uint64
	instances map[uint64]*instance
}

type instance struct {
	mu sync.Mutex
	d  Detector
}

func newServer(f Factory) *server {
	return &server{factory: f, instances: make(map[uint64]*instance)}
}

// with runs fn on instance id, holding its lock.
func (s *server) with(id uint64, fn func(*instance) error) error {
	s.mu.Lock()
	in := s.instances[id]
	s.mu.Unlock()
	if in == nil {
		return status.Errorf(codes.NotFound, "no detector instance %d (closed, or the plugin restarted)", id)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	return fn(in)
}

func (s *server) Info(context.Context, *pb.InfoRequest) (*pb.InfoResponse, error) {
	i := s.factory.Info()
	// pb.Kind numbers the kinds as sdk.Kind does.
	return &pb.InfoResponse{
		Name: i.Name, Version: i.Version, Kind: pb.Kind(i.Kind),
		MaxDim: int64(i.MaxDim), Explains: i.Explains,
	}, nil
}

func (s *server) New(_ context.Context, req *pb.NewRequest) (*pb.NewResponse, error) {
	d, err := s.factory.New(int(req.GetDim()))
	if err != nil {
		return nil, toStatus(err)
	}
	s.mu.Lock()
	s.last++
	id := s.last
	s.instances[id] = &instance{d: d}
	s.mu.Unlock()
	_, fits := d.(Fitter)
	_, explains := d.(Explainer)
	return &pb.NewResponse{Instance: id, Fitter: fits, Explainer: explains}, nil
}

func (s *server) Close(_ context.Context, req *pb.CloseRequest) (*pb.CloseResponse, error) {
	s.mu.Lock()
	delete(s.instances, req.GetInstance())
	s.mu.Unlock()
	return &pb.CloseResponse{}, nil
}

func (s *server) Score(_ context.Context, req *pb.ScoreRequest) (*pb.ScoreResponse, error) {
	var score float64
	err := s.with(req.GetInstance(), func(in *instance) (err error) {
		score, err = in.d.Score(req.GetPoint())
		return toStatus(err)
	})
	return &pb.ScoreResponse{Score: score}, err
}

func (s *server) ScoreBatch(_ context.Context, req *pb.ScoreBatchRequest) (*pb.ScoreBatchResponse, error) {
	dim, vals := int(req.GetDim()), req.GetValues()
	if dim <= 0 || len(vals)%dim != 0 {
		return nil, status.Errorf(codes.InvalidArgument, "batch of %d values with dim %d", len(vals), dim)
	}
	xs := make([][]float64, len(vals)/dim)
	for i := range xs {
		xs[i] = vals[i*dim : (i+1)*dim : (i+1)*dim]
	}
	out := make([]float64, len(xs))
	resp := &pb.ScoreBatchResponse{}
	err := s.with(req.GetInstance(), func(in *instance) error {
		n, err := in.d.ScoreBatch(xs, out)
		resp.Scores, resp.Scored = out[:n], int64(n)
		if err != nil {
			resp.Failure, _ = toFailure(err)
		}
		return nil
	})
	return resp, err
}

func (s *server) Marshal(_ context.Context, req *pb.MarshalRequest) (*pb.MarshalResponse, error) {
	resp := &pb.MarshalResponse{}
	err := s.with(req.GetInstance(), func(in *instance) (err error) {
		resp.State, err = in.d.MarshalBinary()
		return toStatus(err)
	})
	return resp, err
}

func (s *server) Unmarshal(_ context.Context, req *pb.UnmarshalRequest) (*pb.UnmarshalResponse, error) {
	err := s.with(req.GetInstance(), func(in *instance) error {
		return toStatus(in.d.UnmarshalBinary(req.GetState()))
	})
	return &pb.UnmarshalResponse{}, err
}

func (s *server) Fit(_ context.Context, req *pb.FitRequest) (*pb.FitResponse, error) {
	rows := make([][]float64, len(req.GetRows()))
	for i, r := range req.GetRows() {
		rows[i] = r.GetValues()
	}
	err := s.with(req.GetInstance(), func(in *instance) error {
		f, ok := in.d.(Fitter)
		if !ok {
			return status.Errorf(codes.Unimplemented, "detector %s does not implement Fit", s.factory.Info().Name)
		}
		return toStatus(f.Fit(rows))
	})
	return &pb.FitResponse{}, err
}

func (s *server) Explain(_ context.Context, req *pb.ExplainRequest) (*pb.ExplainResponse, error) {
	resp := &pb.ExplainResponse{}
	err := s.with(req.GetInstance(), func(in *instance) (err error) {
		e, ok := in.d.(Explainer)
		if !ok {
			return status.Errorf(codes.Unimplemented, "detector %s does not implement Explain", s.factory.Info().Name)
		}
		resp.Contributions, err = e.Explain(req.GetPoint())
		return toStatus(err)
	})
	return resp, err
}
