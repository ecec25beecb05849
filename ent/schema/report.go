package schema

import (
	"entgo.io/ent"
	entsql "entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Report is one immutable version of a scan's PDF. The bytes live in
// ReportFile so that listing reports never reads PDFs.
type Report struct{ ent.Schema }

// Mixin of Report.
func (Report) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "rpt"}, TimeMixin{}, TenantMixin{}}
}

// Fields of Report.
func (Report) Fields() []ent.Field {
	return []ent.Field{
		field.String("scan_id").NotEmpty().Immutable(),
		field.Int("version").Positive().Immutable(),
		field.String("title").NotEmpty(),
		field.Enum("status").Values("PENDING", "READY", "FAILED").Default("PENDING"),
		field.Int64("pdf_size").Default(0),
		// sha256 of the stored PDF, checked on download and used as the ETag.
		field.String("sha256").Optional(),
		field.String("storage").Default("db"),
		field.String("error").Optional(),
	}
}

// Edges of Report.
func (Report) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("scan", Scan.Type).Ref("reports").Field("scan_id").Unique().Required().Immutable(),
		// The PDF bytes go with their report (the foreign key cascades).
		edge.To("file", ReportFile.Type).Unique().Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of Report.
func (Report) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("scan_id", "version").Unique(),
		index.Fields("account_id", "created_at", "id"),
	}
}

// ReportFile holds a report's PDF bytes, where every instance can serve them.
type ReportFile struct{ ent.Schema }

// Fields of ReportFile.
func (ReportFile) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").Immutable().NotEmpty(), // the report id
		field.Bytes("data").Immutable(),
	}
}

// Edges of ReportFile.
func (ReportFile) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("report", Report.Type).Ref("file").Unique().Required().Immutable(),
	}
}
