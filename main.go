// Command terraform-provider-datocms serves the DatoCMS Terraform provider.
package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/assetform/terraform-provider-datocms/internal/provider"
)

// Docs are generated from schemas, templates/ and examples/; see GNUmakefile's generate target.
// The provider schema is exported in-process by internal/tools/schemajson, in the format of
// `terraform providers schema -json` as Terraform 1.15 writes it (resource identity and list
// resources included), so the docs do not depend on the installed Terraform. It is left in
// .providers-schema.json (ignored by git); make docs-check exports it the same way.
//go:generate terraform fmt -recursive ./examples/
//go:generate go run ./internal/tools/schemajson -o .providers-schema.json
//go:generate go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs@v0.25.0 generate --provider-name datocms --providers-schema .providers-schema.json

// version is set by goreleaser through -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	provider.QuietSDKLogs()

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err := tf6server.Serve(provider.RegistryAddress, provider.NewServer(version), opts...)
	if err != nil {
		log.Fatal(err.Error())
	}
}
