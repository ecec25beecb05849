package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"

	"github.com/palisade/palisade/app/domain"
)

// User is a person who logs in to the web app; it belongs to one account
// with a role (owners manage billing, keys and members).
type User struct{ ent.Schema }

// Mixin of User.
func (User) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "usr"}, TimeMixin{}, TenantMixin{}}
}

// Fields of User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		// email is stored lower-cased; unique across all accounts because it is the login.
		field.String("email").NotEmpty().MaxLen(254).Unique(),
		field.String("name").Optional().MaxLen(100),
		field.String("password_hash").Sensitive().NotEmpty(),
		field.Enum("role").GoType(domain.Role("")).Default(string(domain.RoleOwner)),
	}
}
