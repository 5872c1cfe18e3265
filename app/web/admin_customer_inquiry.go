package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/web/kit"

	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/model"
)

// adminCustomerInquiry opens an inquiry on the customer's behalf, for a
// question taken on the phone or at the counter (inquiries.Service.Open):
// it gets its owner by the owner rule, the customer is emailed who owns it,
// and the timeline names who opened it for them.
func (s *Server) adminCustomerInquiry(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	in := inquiries.Question{Subject: c.FormValue("subject"), Body: c.FormValue("body"), OrderRef: c.FormValue("order_ref")}
	q, err := s.inquiries.Open(c.Request().Context(), id, in, model.StaffActor(kit.StaffOf(c)))
	if msg, ok := adminRefusal(err); ok {
		d, derr := s.customerPage(c, id)
		if derr != nil {
			return derr
		}
		d.Error, d.Failed = msg, "open-inquiry"
		for _, k := range []string{"subject", "body", "order_ref"} {
			d.Form[k] = c.FormValue(k)
		}
		return s.views.Render(c, http.StatusUnprocessableEntity, "admin/customer", "", d)
	}
	if err != nil {
		return err
	}
	return adminRedirect(c, "/admin/inquiries/"+strconv.FormatInt(q.ID, 10), "inquiry_opened")
}
