package admin

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/domain/apikeys"
	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/web/kit"
)

type apiKeysData struct {
	view
	Keys    []*model.APIKey
	Name    string // the name typed, kept after a refusal
	NewKey  string // the key just created: on this one page, never again
	NewName string
}

func (h *Handlers) apiKeysPage(c echo.Context, status int, d apiKeysData) error {
	list, err := h.store.ListAPIKeys(c.Request().Context())
	if err != nil {
		return err
	}
	d.Keys = list
	return h.views.Render(c, status, "admin/apikeys", "", d)
}

// APIKeys lists the API keys: name, prefix, created, last used, revoked.
func (h *Handlers) APIKeys(c echo.Context) error {
	return h.apiKeysPage(c, http.StatusOK, apiKeysData{view: h.page(c, "admin.apikeys.title")})
}

// APIKeyCreate makes a key and shows it on the page it answers with,
// the only time it is shown.
func (h *Handlers) APIKeyCreate(c echo.Context) error {
	d := apiKeysData{view: h.page(c, "admin.apikeys.title"), Name: c.FormValue("name")}
	key, k, err := apikeys.Create(c.Request().Context(), h.store, d.Name, h.now())
	var ne refusal.Refusal
	if errors.As(err, &ne) {
		d.Error = ne.Text
		return h.apiKeysPage(c, http.StatusUnprocessableEntity, d)
	}
	if err != nil {
		return err
	}
	// The page holds a secret: no cache, no history snapshot may keep it.
	c.Response().Header().Set("Cache-Control", "no-store")
	d.NewKey, d.NewName, d.Name = key, k.Name, ""
	return h.apiKeysPage(c, http.StatusOK, d)
}

// APIKeyRevoke revokes a key: requests with it fail from now on.
func (h *Handlers) APIKeyRevoke(c echo.Context) error {
	id, err := kit.PathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := apikeys.Revoke(c.Request().Context(), h.store, id, h.now()); err != nil {
		return err
	}
	return redirect(c, "/admin/api-keys", "key_revoked")
}
