package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/web/kit"
)

// Order is an order as the JSON API shows it (GET, and the answer to PUT
// and POST status).
type Order struct {
	Ref                 string       `json:"ref"`
	Status              string       `json:"status"`
	Customer            Customer     `json:"customer"`
	Items               []model.Item `json:"items"`
	Total               string       `json:"total"`
	Currency            string       `json:"currency"`
	PlacedAt            *time.Time   `json:"placed_at"`
	ExpectedDelivery    string       `json:"expected_delivery"`
	DeliveredAt         *time.Time   `json:"delivered_at"`
	DeliveryConfirmedBy string       `json:"delivery_confirmed_by"`
	Carrier             string       `json:"carrier"`
	TrackingNumber      string       `json:"tracking_number"`
	TrackingURL         string       `json:"tracking_url"`
	RecipientName       string       `json:"recipient_name"`
	Owner               Owner        `json:"owner"`
	CreatedAt           time.Time    `json:"created_at"`
	UpdatedAt           time.Time    `json:"updated_at"`
	Timeline            []Event      `json:"timeline"`

	// Only in answers to a change.
	Changed       *bool  `json:"changed,omitempty"`        // false: the same body again, nothing written
	OwnerAssigned bool   `json:"owner_assigned,omitempty"` // owner_email named no active staff member
	Note          string `json:"note,omitempty"`           // says what owner_assigned means here
}

// Customer is an order's customer.
type Customer struct {
	Email  string `json:"email"`
	Name   string `json:"name"`
	Locale string `json:"locale"`
}

// Owner is the staff member who owns an order.
type Owner struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Email string `json:"email"`
}

// Event is one entry of the timeline the customer sees.
type Event struct {
	Kind  string            `json:"kind"`
	At    time.Time         `json:"at"`
	Actor EventActor        `json:"actor"`
	Text  string            `json:"text"` // the customer's sentence, in English
	Data  map[string]string `json:"data"`
}

// EventActor is who made a timeline entry.
type EventActor struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// view loads the order with ref and its customer-visible timeline.
func (h *Handlers) view(ctx context.Context, ref string) (*Order, error) {
	o, err := h.store.OrderByRef(ctx, ref)
	if err != nil {
		return nil, err
	}
	return h.viewOf(ctx, o)
}

// viewOf shows o (with its Owner and Customer, as the orders
// actions return it) and loads its customer-visible timeline.
func (h *Handlers) viewOf(ctx context.Context, o *model.Order) (*Order, error) {
	evs, err := h.store.OrderEvents(ctx, o.ID, true)
	if err != nil {
		return nil, err
	}
	v := &Order{Ref: o.Ref, Status: o.Status, Items: o.Items, Total: o.Total, Currency: o.Currency,
		PlacedAt: o.PlacedAt, ExpectedDelivery: o.ExpectedDelivery, DeliveredAt: o.DeliveredAt,
		DeliveryConfirmedBy: o.DeliveryConfirmedBy, Carrier: o.Carrier, TrackingNumber: o.TrackingNumber,
		TrackingURL: o.TrackingURL, RecipientName: o.RecipientName, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
		Timeline: make([]Event, 0, len(evs))}
	if c := o.Customer; c != nil {
		v.Customer = Customer{Email: c.Email, Name: c.Name, Locale: c.Locale}
	}
	if st := o.Owner; st != nil {
		v.Owner = Owner{Name: st.FullName, Title: st.Title, Email: st.Email}
	}
	words := kit.Words{Page: h.layout.In("en"), Loc: h.loc, Now: h.now().In(h.loc)}
	for _, e := range evs {
		v.Timeline = append(v.Timeline, Event{Kind: e.Kind, At: e.CreatedAt.UTC(), Text: words.EventText(e),
			Actor: EventActor{Kind: e.ActorKind, Name: e.ActorName}, Data: e.Data})
	}
	return v, nil
}

// OrderGet answers GET /api/v1/orders/{ref}.
func (h *Handlers) OrderGet(c echo.Context) error {
	ref := refParam(c)
	v, err := h.view(c.Request().Context(), ref)
	if err != nil {
		return fail(err, ref)
	}
	return c.JSON(http.StatusOK, v)
}

// OrderPut answers PUT /api/v1/orders/{ref}: create (201) or replace
// (200) the order; the same body again changes nothing ("changed": false).
func (h *Handlers) OrderPut(c echo.Context) error {
	ctx, ref := c.Request().Context(), refParam(c)
	body, err := body(c)
	if err != nil {
		return err
	}
	in, err := orders.DecodeJSON(body, ref)
	if err == nil {
		err = in.Normalize()
	}
	if err != nil {
		return fail(err, ref)
	}
	res, err := h.orders.Upsert(ctx, in, actor(keyOf(c)))
	if err != nil {
		return fail(err, ref)
	}
	v, err := h.viewOf(ctx, res.Order)
	if err != nil {
		return err
	}
	v.Changed = &res.Changed
	if res.OwnerAssigned {
		v.OwnerAssigned, v.Note = true, h.ownerNote(ctx, in.OwnerEmail, v.Owner)
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
		c.Response().Header().Set(echo.HeaderLocation, "/api/v1/orders/"+url.PathEscape(v.Ref))
	}
	return c.JSON(status, v)
}

// OrderStatus answers POST /api/v1/orders/{ref}/status: a status change
// (delivered queues the delivery confirmation, once).
func (h *Handlers) OrderStatus(c echo.Context) error {
	ctx, ref := c.Request().Context(), refParam(c)
	body, err := body(c)
	if err != nil {
		return err
	}
	ch, err := orders.DecodeChangeJSON(body)
	if err != nil {
		return fail(err, ref)
	}
	o, changed, err := h.orders.ChangeStatus(ctx, ref, ch, actor(keyOf(c)))
	if err != nil {
		return fail(err, ref)
	}
	v, err := h.viewOf(ctx, o)
	if err != nil {
		return err
	}
	v.Changed = &changed
	return c.JSON(http.StatusOK, v)
}

// ownerNote says why the order's owner is not the one owner_email named:
// said on every answer, the repeated body's too, not only when the owner
// rule ran.
func (h *Handlers) ownerNote(ctx context.Context, asked string, got Owner) string {
	if st, err := h.store.StaffByEmail(ctx, asked); err == nil && st.Active {
		return fmt.Sprintf("the order has been handed over to %s (%s) since this body was first sent; it stays with them until a changed body names another owner",
			got.Name, got.Email)
	}
	return fmt.Sprintf("owner_email %s is not an active staff member, so the order is owned by %s (%s)", asked, got.Name, got.Email)
}
