package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/palisade/palisade/app/auth"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/httpx"
	"github.com/palisade/palisade/views/components"
	"github.com/palisade/palisade/views/pages"
)

func (h *Handler) settingsData(c *fiber.Ctx) pages.SettingsData {
	s := session(c)
	return pages.SettingsData{AccountName: s.Account.Name, Email: s.User.Email, Owner: s.User.Role.IsOwner(), Errors: components.FormErrors{}}
}

func (h *Handler) settingsPage(c *fiber.Ctx) error {
	d := h.settingsData(c)
	if c.Query("saved") != "" {
		d.Message = "Saved."
	}
	return httpx.Render(c, http.StatusOK, pages.Settings(d), nil)
}

// settingsError re-renders the settings page with a validation message.
func (h *Handler) settingsError(c *fiber.Ctx, err error) error {
	var v *errs.Validation
	if !errors.As(err, &v) {
		return err
	}
	d := h.settingsData(c)
	d.Errors[v.Field] = v.Message
	return httpx.Render(c, http.StatusUnprocessableEntity, pages.Settings(d), nil)
}

func (h *Handler) renameAccount(c *fiber.Ctx) error {
	if err := h.auth.RenameAccount(c.UserContext(), session(c).Account.ID, c.FormValue("account")); err != nil {
		return h.settingsError(c, err)
	}
	return c.Redirect(h.url(RouteSettings)+"?saved=1", fiber.StatusSeeOther)
}

func (h *Handler) changePassword(c *fiber.Ctx) error {
	s := session(c)
	if err := h.auth.ChangePassword(c.UserContext(), s.User.ID, s.Session.ID, c.FormValue("current"), c.FormValue("new")); err != nil {
		return h.settingsError(c, err)
	}
	// A new session too: the old token stops working with the old password.
	if err := h.startSession(c, s.User); err != nil {
		return err
	}
	h.log.Info("password changed", "user_id", s.User.ID)
	return c.Redirect(h.url(RouteSettings)+"?saved=1", fiber.StatusSeeOther)
}

func (h *Handler) deleteAccount(c *fiber.Ctx) error {
	s := session(c)
	if strings.TrimSpace(c.FormValue("confirm")) != s.Account.Name {
		return h.settingsError(c, &errs.Validation{Field: "confirm", Message: "Type the account name exactly to confirm."})
	}
	if err := h.auth.DeleteAccount(c.UserContext(), s.Account.ID); err != nil {
		return err
	}
	h.log.Info("account deleted", "account_id", s.Account.ID, "user_id", s.User.ID)
	h.clearCookie(c)
	return h.redirect(c, RouteHome)
}

func (h *Handler) teamData(c *fiber.Ctx) (pages.TeamData, error) {
	s := session(c)
	members, err := h.auth.Members(c.UserContext(), s.Account.ID)
	if err != nil {
		return pages.TeamData{}, err
	}
	d := pages.TeamData{Owner: s.User.Role.IsOwner()}
	for _, m := range members {
		d.Members = append(d.Members, pages.TeamMember{ID: m.ID, Email: m.Email, Role: string(m.Role), Owner: m.Role.IsOwner(), You: m.ID == s.User.ID,
			RoleURL: h.url(RouteRole, m.ID), RemoveURL: h.url(RouteRemove, m.ID)})
	}
	return d, nil
}

func (h *Handler) teamPage(c *fiber.Ctx) error {
	d, err := h.teamData(c)
	if err != nil {
		return err
	}
	return httpx.Render(c, http.StatusOK, pages.Team(d), nil)
}

func parseRole(s string) (domain.Role, error) {
	r, ok := domain.ParseRole(s)
	if !ok {
		return "", &errs.Validation{Field: "role", Message: "Choose owner or member."}
	}
	return r, nil
}

func (h *Handler) createInvite(c *fiber.Ctx) error {
	role, err := parseRole(c.FormValue("role", "member"))
	if err != nil {
		return err
	}
	tok, err := h.auth.CreateInvite(c.UserContext(), session(c).Account.ID, role)
	if err != nil {
		return err
	}
	d, err := h.teamData(c)
	if err != nil {
		return err
	}
	d.InviteLink = h.cfg.BaseURL + h.url(RouteJoin, tok)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return httpx.Render(c, http.StatusOK, pages.Team(d), nil)
}

func (h *Handler) teamError(c *fiber.Ctx, err error) error {
	// A refusal (the last owner, a foreign member's id) is said on the team
	// page; an internal error is the error page.
	_, msg, ok := errs.Field(err)
	var nf *errs.NotFound
	if !ok || errors.As(err, &nf) {
		return err
	}
	code, _, _, _ := httpx.Status(err)
	d, derr := h.teamData(c)
	if derr != nil {
		return derr
	}
	d.Error = msg
	return httpx.Render(c, code, pages.Team(d), nil)
}

func (h *Handler) setRole(c *fiber.Ctx) error {
	role, err := parseRole(c.FormValue("role"))
	if err != nil {
		return err
	}
	if err := h.auth.SetRole(c.UserContext(), session(c).Account.ID, c.Params("id"), role); err != nil {
		return h.teamError(c, err)
	}
	return h.redirect(c, RouteTeam)
}

func (h *Handler) removeMember(c *fiber.Ctx) error {
	if err := h.auth.RemoveMember(c.UserContext(), session(c).Account.ID, c.Params("id")); err != nil {
		return h.teamError(c, err)
	}
	return h.redirect(c, RouteTeam)
}

func (h *Handler) inviteForm(c *fiber.Ctx) error {
	inv, err := h.auth.Invite(c.UserContext(), c.Params("token"))
	// Opening a used link shows the same "not valid" page as an unknown one;
	// only submitting it (below) says it was used.
	if errors.Is(err, auth.ErrInviteUsed) {
		return &errs.NotFound{Message: err.Error()}
	}
	if err != nil {
		return err
	}
	return httpx.Render(c, http.StatusOK, pages.InviteForm(inv.Edges.Account.Name, h.url(RouteJoin, c.Params("token")), pages.AuthForm{}), nil)
}

func (h *Handler) acceptInvite(c *fiber.Ctx) error {
	tok := c.Params("token")
	inv, err := h.auth.Invite(c.UserContext(), tok)
	if err != nil {
		return err
	}
	f := pages.AuthForm{Email: c.FormValue("email"), Errors: components.FormErrors{}}
	u, err := h.auth.AcceptInvite(c.UserContext(), tok, f.Email, c.FormValue("password"))
	if err != nil {
		// ErrInviteUsed (another accept won) is a 409 page from the error
		// handler; bad input (422) and a taken address (409) stay on the form.
		if errors.Is(err, auth.ErrInviteUsed) {
			return err
		}
		code, ok := formError(c, err, f.Errors)
		if !ok {
			return err
		}
		return httpx.Render(c, code, pages.InviteForm(inv.Edges.Account.Name, h.url(RouteJoin, tok), f), nil)
	}
	if err := h.startSession(c, u); err != nil {
		return err
	}
	return h.redirect(c, RouteDashboard)
}
