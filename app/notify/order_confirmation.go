package notify

import (
	"fmt"
	"strings"

	"github.com/kedja/kedja/app/model"
)

// OrderConfirmation is the template of the mail a customer gets when an
// order of theirs is first created.
const OrderConfirmation = "order_confirmation"

// OrderConfirmationMsg confirms a new order to its customer: what was
// ordered, when it is expected, and the named person who owns it. One per
// order.
func OrderConfirmationMsg(c *model.Customer, locale string, o *model.Order) *model.OutboxMessage {
	items := make([]string, 0, len(o.Items))
	for _, it := range o.Items {
		items = append(items, fmt.Sprintf("%d× %s", it.Quantity, it.Name))
	}
	total := ""
	if o.Total != "" {
		total = strings.TrimSpace(o.Total + " " + o.Currency)
	}
	d := map[string]string{
		"path": "/orders/" + o.Ref, "order_ref": o.Ref, "customer_name": c.Name,
		"placed_at": fmtTime(o.PlacedAt), "expected_delivery": o.ExpectedDelivery,
		"items": strings.Join(items, "\n"), "total": total,
	}
	if st := o.Owner; st != nil {
		d["owner_name"], d["owner_title"], d["owner_email"] = st.FullName, st.Title, st.Email
	}
	return &model.OutboxMessage{
		IdempotencyKey: "order-confirmation:order:" + o.Ref, Template: OrderConfirmation, Locale: locale,
		ToEmail: c.Email, ToName: c.Name, Data: d,
	}
}
