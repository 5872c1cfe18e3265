package admin

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/web/kit"
)

// CustomerInquiry opens an inquiry on the customer's behalf, for a
// question taken on the phone or at the counter (inquiries.Service.Open):
// it gets its owner by the owner rule, the customer is emailed who owns it,
// and the timeline names who opened it for them.
func (h *Handlers) CustomerInquiry(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	in := inquiries.Question{Subject: c.FormValue("subject"), Body: c.FormValue("body"), OrderRef: c.FormValue("order_ref")}
	q, err := h.inquiries.Open(c.Request().Context(), id, in, model.StaffActor(kit.StaffOf(c)))
	if msg, ok := refusalText(err); ok {
		d, derr := h.customerPage(c, id)
		if derr != nil {
			return derr
		}
		d.Error, d.Failed = msg, "open-inquiry"
		for _, k := range []string{"subject", "body", "order_ref"} {
			d.Form[k] = c.FormValue(k)
		}
		return h.views.Render(c, http.StatusUnprocessableEntity, "admin/customer", "", d)
	}
	if err != nil {
		return err
	}
	return redirect(c, "/admin/inquiries/"+strconv.FormatInt(q.ID, 10), "inquiry_opened")
}
