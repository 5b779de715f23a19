// Command schemajson writes the provider's schema as `terraform providers schema -json`
// writes it, without Terraform: it starts the provider in-process, asks it for its schemas
// over the protocol 6 interface, and converts the answers as Terraform 1.15 does. The
// document therefore has every section Terraform 1.15 writes (resource identity and list
// resources included), whatever Terraform is installed, and the docs that tfplugindocs
// generates from it (`tfplugindocs generate --providers-schema`) are the same on every
// machine.
//
// Usage:
//
//	go run ./internal/tools/schemajson [-o file] [-address registry.terraform.io/hashicorp/datocms]
//
// The default address is the one tfplugindocs looks the schema up by for
// --provider-name datocms (it also accepts the bare name).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/assetform/terraform-provider-datocms/internal/provider"
)

// defaultAddress is the provider address the document is written under.
const defaultAddress = "registry.terraform.io/hashicorp/datocms"

func main() {
	out := flag.String("o", "", "write the schema to this file instead of standard output")
	address := flag.String("address", defaultAddress, "provider address to write the schema under")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "schemajson: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}

	data, err := export(context.Background(), datocmsServer(), *address)
	if err == nil {
		err = write(*out, data)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "schemajson: %v\n", err)
		os.Exit(1)
	}
}

// datocmsServer starts the provider in-process, as main serves it.
// The version only shows in the provider's metadata, which the schema does not include.
func datocmsServer() tfprotov6.ProviderServer {
	return provider.NewServer("docs")()
}

// export asks server for its schemas and returns the JSON document, with the trailing
// newline Terraform prints.
func export(ctx context.Context, server tfprotov6.ProviderServer, address string) ([]byte, error) {
	resp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, fmt.Errorf("GetProviderSchema: %w", err)
	}
	ids, err := server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		return nil, fmt.Errorf("GetResourceIdentitySchemas: %w", err)
	}
	doc, err := convert(address, resp, ids)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

func write(path string, data []byte) error {
	if path == "" {
		_, err := os.Stdout.Write(data)
		return err
	}
	return os.WriteFile(path, data, 0o600)
}
