package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

// argSource says where each provider argument came from, so that messages name the place
// a user has to fix: the provider block or the environment variable.
type argSource struct {
	token, baseURL, environment string // e.g. "api_token" or "DATOCMS_API_TOKEN"
}

func sourceName(v types.String, attr, env string) string {
	switch {
	case !v.IsNull():
		return attr + " (in the provider block)"
	case os.Getenv(env) != "":
		return "the " + env + " environment variable"
	}
	return attr + " (or " + env + ")"
}

// checkProject makes one request before anything is planned, GET /site (which the plan
// needs anyway for the environment's locales and metadata shape), to catch the mistakes
// that would otherwise fail only at apply, once per resource: a token DatoCMS rejects, a
// base URL that is not the DatoCMS API or cannot be reached, an environment that does not
// exist. Each error names the provider argument to fix.
func checkProject(ctx context.Context, client *datocms.Client, src argSource) diag.Diagnostics {
	var diags diag.Diagnostics
	_, err := client.Site(ctx)
	if err == nil {
		return nil
	}
	var (
		connErr *datocms.ConnectError
		apiErr  *datocms.APIError
	)
	isAPIErr := errors.As(err, &apiErr)
	switch {
	case errors.As(err, &connErr):
		diags.AddAttributeError(path.Root("base_url"), "Cannot connect to DatoCMS",
			fmt.Sprintf("No connection could be made to %s (%v). Check %s: it must be the Content Management API "+
				"address, %s, or a local server that is running.", connErr.BaseURL, connErr.Err, src.baseURL, datocms.DefaultBaseURL))
	case datocms.HasCode(err, "INVALID_AUTHORIZATION_HEADER") || isAPIErr && apiErr.Status == http.StatusUnauthorized:
		diags.AddAttributeError(path.Root("api_token"), "DatoCMS rejected the API token",
			fmt.Sprintf("%s. Check %s: it must be an API token of this DatoCMS project with access to the Content "+
				"Management API (Project settings → API tokens).", err, src.token))
	case datocms.HasCode(err, "INSUFFICIENT_PERMISSIONS") || isAPIErr && apiErr.Status == http.StatusForbidden:
		diags.AddAttributeError(path.Root("api_token"), "The API token may not manage uploads",
			fmt.Sprintf("%s. The role of the token in %s must be able to read, create, update and delete uploads.", err, src.token))
	case datocms.HasCode(err, "INVALID_ENVIRONMENT"):
		diags.AddAttributeError(path.Root("environment"), "Unknown DatoCMS environment",
			fmt.Sprintf("The project has no environment %q (%s).%s Set %s to one of them, or leave it unset to manage the "+
				"primary environment.", client.Environment(), err, listEnvironments(ctx, client), src.environment))
	case isAPIErr && (apiErr.Status == http.StatusNotFound || apiErr.Body != ""):
		diags.AddAttributeError(path.Root("base_url"), "base_url is not the DatoCMS API",
			fmt.Sprintf("%s does not answer as the DatoCMS Content Management API (%s). Check %s: it must be %s, "+
				"without a path, or the address of a compatible local server.", client.BaseURL(), err, src.baseURL, datocms.DefaultBaseURL))
	default:
		diags.AddError("Error reading the DatoCMS project", fmt.Sprintf("Could not read the project's settings (GET /site): %s", err))
	}
	return diags
}

// listEnvironments returns " Its environments are: ..." when the token may list them.
func listEnvironments(ctx context.Context, client *datocms.Client) string {
	envs, err := client.Environments(ctx)
	if err != nil || len(envs) == 0 {
		return ""
	}
	names := make([]string, 0, len(envs))
	for _, e := range envs {
		name := fmt.Sprintf("%q", e.ID)
		if e.Primary {
			name += " (primary)"
		}
		names = append(names, name)
	}
	return " Its environments are: " + strings.Join(names, ", ") + "."
}
