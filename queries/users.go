package queries

import (
	"context"

	"github.com/permledger/permledger/readmodel"
)

// MaxUserPage bounds one page of Users (and is the default page size).
const MaxUserPage = 1000

// UserPage is one page of users, by name.
type UserPage struct {
	Users []*readmodel.User
	// Next is the name to pass as after for the next page ("" at the end).
	Next string
	Seq  uint64
}

// Users lists users by name after `after`, limit at a time (0: MaxUserPage).
// Only an admin may list users.
func (s *Service) Users(ctx context.Context, token, after string, limit int, minSeq uint64) (page UserPage, err error) {
	err = s.read(ctx, minSeq, func(v *readmodel.View) error {
		actor, err := actorIn(v, token)
		if err != nil {
			return err
		}
		if limit < 0 || limit > MaxUserPage {
			return invalid("limit %d: want 0 to %d", limit, MaxUserPage)
		}
		if !actor.Admin {
			return forbidden("%s is not an admin: listing users is admin-only", actor.Name)
		}
		page, err = usersPage(v, after, limit)
		return err
	})
	return page, err
}

func usersPage(v *readmodel.View, after string, limit int) (UserPage, error) {
	if limit == 0 {
		limit = MaxUserPage
	}
	names, err := v.Users(after, limit+1)
	if err != nil {
		return UserPage{}, err
	}
	page := UserPage{Seq: v.Seq()}
	if len(names) > limit {
		names = names[:limit]
		page.Next = names[limit-1]
	}
	for _, n := range names {
		u, err := v.User(n)
		if err != nil {
			return UserPage{}, err
		}
		if u != nil {
			page.Users = append(page.Users, u)
		}
	}
	return page, nil
}
