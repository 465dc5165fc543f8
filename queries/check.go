package queries

import (
	"context"
	"fmt"
	"time"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/policy"
	"github.com/permledger/permledger/readmodel"
)

// CheckRequest asks whether a user (named, or by token) may do something.
type CheckRequest struct {
	User       string
	Token      string
	Permission string
	Contexts   []string
	MinSeq     uint64
	AtSeq      uint64    // 0: now
	AtTime     time.Time // zero: now
}

// CheckResult is a decision with the rule that made it (explain).
type CheckResult struct {
	User     string
	Seq      uint64 // the sequence the answer was computed at
	Decision policy.Decision
}

// Check answers a check, now or at a past point.
func (s *Service) Check(ctx context.Context, req CheckRequest) (CheckResult, error) {
	if err := s.waitFor(ctx, req.MinSeq); err != nil {
		return CheckResult{}, err
	}
	if (req.User == "") == (req.Token == "") {
		return CheckResult{}, invalid("a check names exactly one of user or token")
	}
	if len(req.Contexts) > MaxContexts {
		return CheckResult{}, invalid("%d contexts: at most %d", len(req.Contexts), MaxContexts)
	}
	at, past, err := s.point(req)
	if err != nil {
		return CheckResult{}, err
	}
	user, err := s.subject(req)
	if err != nil {
		return CheckResult{}, err
	}
	if past {
		return s.checkAt(user, at, req)
	}
	return s.checkNow(user, req)
}

// point resolves at_seq / at_time to a sequence.
func (s *Service) point(req CheckRequest) (uint64, bool, error) {
	switch {
	case req.AtSeq != 0 && !req.AtTime.IsZero():
		return 0, false, invalid("at_seq and at_time are exclusive")
	case req.AtSeq != 0:
		if applied := s.store.Applied(); req.AtSeq > applied {
			return 0, false, invalid("at_seq %d is ahead of the log (applied %d); use min_seq to wait", req.AtSeq, applied)
		}
		return req.AtSeq, true, nil
	case !req.AtTime.IsZero():
		seq, err := s.store.SeqAt(req.AtTime)
		if err != nil {
			return 0, false, fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		return seq, true, nil
	}
	return 0, false, nil
}

// subject resolves the user a check is about (a token is resolved now).
func (s *Service) subject(req CheckRequest) (string, error) {
	if req.Token == "" {
		if err := catalog.ValidateName("user", req.User); err != nil {
			return "", invalid("%v", err)
		}
		return req.User, nil
	}
	u, _, err := s.Authenticate(context.Background(), req.Token, 0)
	if err != nil {
		return "", err
	}
	return u.Name, nil
}

func (s *Service) checkNow(user string, req CheckRequest) (CheckResult, error) {
	res := CheckResult{User: user}
	err := s.store.View(func(v *readmodel.View) error {
		ctxs, err := parseCheck(v.Catalog(), req.Permission, req.Contexts)
		if err != nil {
			return err
		}
		res.Seq = v.Seq()
		res.Decision, err = v.Check(user, req.Permission, ctxs)
		return err
	})
	return res, err
}

func (s *Service) checkAt(user string, at uint64, req CheckRequest) (CheckResult, error) {
	res := CheckResult{User: user, Seq: at}
	err := s.store.At(at, func(p *readmodel.PastView) error {
		cat := p.Catalog()
		if cat == nil {
			cat = catalog.Default() // before the first event: nobody exists yet
		}
		ctxs, err := parseCheck(cat, req.Permission, req.Contexts)
		if err != nil {
			return err
		}
		u, err := p.User(user)
		if err != nil {
			return err
		}
		res.Decision = policy.Check(cat, u.Subject(), p, req.Permission, ctxs)
		return p.Err()
	})
	return res, err
}

// parseCheck validates the permission and contexts: an unknown permission,
// an unknown context type or a malformed context is invalid_argument.
func parseCheck(cat *catalog.Catalog, perm string, contexts []string) ([]catalog.Context, error) {
	if cat == nil {
		return nil, fmt.Errorf("%w: the ledger has no catalog yet", ErrUnavailable)
	}
	if err := cat.CheckPermission(perm); err != nil {
		return nil, invalid("%v", err)
	}
	out := make([]catalog.Context, 0, len(contexts))
	for _, c := range contexts {
		ctx, err := cat.ParseContext(c)
		if err != nil {
			return nil, invalid("%v", err)
		}
		out = append(out, ctx)
	}
	return out, nil
}
