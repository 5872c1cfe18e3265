// Package admin is Kedja's staff view under /admin: the work queue,
// inquiries, orders, customers and escalations, and for administrators the
// CSV import, API keys, staff, settings and the outbox. Its handlers read
// and write through the store and the domain's services; the route table
// and the guards (a staff session, the admin flag) are package web's.
package admin

import (
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/domain/settings"
	"github.com/kedja/kedja/app/domain/staff"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web/kit"
)

// Handlers answer the staff pages.
type Handlers struct {
	store       *store.Store
	inquiries   *inquiries.Service
	escalations *escalations.Service
	staff       *staff.Service
	settings    *settings.Service
	orders      *orders.Service
	bus         live.Bus
	views       *kit.Renderer
	layout      *kit.Layout
	loc         *time.Location
	now         func() time.Time
	log         *slog.Logger
	sessionLive func(echo.Context) bool
}

// Deps is what the staff pages need.
type Deps struct {
	Store       *store.Store
	Inquiries   *inquiries.Service
	Escalations *escalations.Service
	Staff       *staff.Service
	Settings    *settings.Service
	Orders      *orders.Service
	Bus         live.Bus // the staff stream subscribes; fact changes are published
	Views       *kit.Renderer
	Layout      *kit.Layout
	Location    *time.Location // the business's time zone
	Now         func() time.Time
	Log         *slog.Logger
	// SessionLive reports whether the request's staff session still stands
	// (the staff stream ends when it does not).
	SessionLive func(echo.Context) bool
}

// New returns the staff pages' handlers.
func New(d Deps) *Handlers {
	return &Handlers{store: d.Store, inquiries: d.Inquiries, escalations: d.Escalations, staff: d.Staff,
		settings: d.Settings, orders: d.Orders, bus: d.Bus, views: d.Views, layout: d.Layout, loc: d.Location, now: d.Now,
		log: d.Log, sessionLive: d.SessionLive}
}
