//go:build ignore

// entc.go drives Ent's code generation; `go generate ./ent` runs it.
package main

import (
	"log"

	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
)

func main() {
	err := entc.Generate("./schema", &gen.Config{
		Features: []gen.Feature{
			gen.FeatureUpsert,
			gen.FeatureExecQuery,
			gen.FeatureModifier,
			gen.FeatureLock,
		},
	})
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}
