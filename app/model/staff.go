package model

import (
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Staff is a person who owns cases: never a first name alone.
type Staff struct {
	bun.BaseModel `bun:"table:staff"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Email     string    `bun:"email,notnull"` // stored lower-case
	FullName  string    `bun:"full_name,notnull"`
	Title     string    `bun:"title,notnull"`
	Phone     string    `bun:"phone,notnull"`
	ManagerID *int64    `bun:"manager_id"`
	IsAdmin   bool      `bun:"is_admin,notnull"`
	Active    bool      `bun:"active,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
}

// FirstName is the first word of the full name, for friendly sentences that
// sit next to the full name.
func (s *Staff) FirstName() string {
	first, _, _ := strings.Cut(strings.TrimSpace(s.FullName), " ")
	return first
}
