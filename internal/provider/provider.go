// Package provider implements the DatoCMS Terraform provider on terraform-plugin-framework.
// It never builds HTTP requests itself: every API call goes through internal/datocms.
package provider

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/assetform/terraform-provider-datocms/internal/cachedir"
	"github.com/assetform/terraform-provider-datocms/internal/createjournal"
	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/localfile"
)

// RegistryAddress is the provider's source address. The namespace is neutral on purpose:
// this is a community provider, not one published by DatoCMS.
const RegistryAddress = "registry.terraform.io/assetform/datocms"

// Environment variables read when the provider block leaves an argument unset.
const (
	envAPIToken    = "DATOCMS_API_TOKEN" //nolint:gosec // G101: the name of an environment variable, not a credential
	envEnvironment = "DATOCMS_ENVIRONMENT"
	envBaseURL     = "DATOCMS_BASE_URL"
)

// envDisableShortcuts, when set to anything but "", "0" or "false", turns off every answer
// that skips work: trusting a file's recorded stat instead of hashing it, keeping a state
// whose upload DatoCMS still holds as recorded, and the plan's early exit for an unchanged
// upload. The same configuration then plans the slow way, which must give the same plan
// (the differential tests compare both). Batched reads stay on: they fetch the same data.
const envDisableShortcuts = "DATOCMS_DISABLE_SHORTCUTS"

// shortcutsDisabled reads envDisableShortcuts.
func shortcutsDisabled() bool {
	switch v := strings.TrimSpace(os.Getenv(envDisableShortcuts)); {
	case v == "", v == "0", strings.EqualFold(v, "false"):
		return false
	}
	return true
}

var (
	_ provider.Provider                  = (*datocmsProvider)(nil)
	_ provider.ProviderWithListResources = (*datocmsProvider)(nil)
)

type datocmsProvider struct {
	version string
}

type datocmsProviderModel struct {
	APIToken        types.String `tfsdk:"api_token"`
	Environment     types.String `tfsdk:"environment"`
	BaseURL         types.String `tfsdk:"base_url"`
	AlwaysHashFiles types.Bool   `tfsdk:"always_hash_files"`
}

// providerData is what resources receive in Configure: one API client (and so one rate
// limiter) per provider instance, one cache of local file hashes, and the create journal.
// shortcuts is false when envDisableShortcuts turned off the answers that skip work.
type providerData struct {
	client    *datocms.Client
	files     *localfile.Files
	journal   *createjournal.Journal // nil without a usable cache directory
	owner     createjournal.Owner    // the configuration this provider process works for
	tracked   *trackedUploads
	claims    *uploadClaims
	cache     *cachedir.Root // nil without a usable cache directory
	shortcuts bool
}

// configuredData is the provider's data as Configure hands it to a resource, data source or
// list resource: nil before the provider is configured (and on error, reported in diags).
func configuredData(raw any, diags *diag.Diagnostics) *providerData {
	if raw == nil {
		return nil
	}
	data, ok := raw.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider.", raw))
	}
	return data
}

// New returns a constructor for the provider, as providerserver expects.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &datocmsProvider{version: version}
	}
}

// QuietSDKLogs turns off the plugin SDK's own logs (every RPC and attribute, at TRACE) when
// no Terraform log was asked for: Terraform then discards them, yet producing them took
// a quarter of a large plan's CPU. With TF_LOG or TF_LOG_PROVIDER set, nothing changes, and
// an explicit TF_LOG_SDK* setting always wins. Call it before serving.
func QuietSDKLogs() {
	if os.Getenv("TF_LOG") != "" || os.Getenv("TF_LOG_PROVIDER") != "" {
		return
	}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO"} {
		if _, set := os.LookupEnv(name); !set {
			_ = os.Setenv(name, "OFF")
		}
	}
}

// NewServer returns the constructor of the provider's protocol 6 server, as main serves it
// and the tests run it: the framework's own server, which answers every RPC. (Shortcuts for
// unchanged uploads are early exits inside the resource's methods, after the framework has
// applied defaults and plan modifiers; see upload_shortcuts.go.)
func NewServer(version string) func() tfprotov6.ProviderServer {
	return providerserver.NewProtocol6(New(version)())
}

func (p *datocmsProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "datocms"
	resp.Version = p.version
}

// environmentIDPattern follows the API's EnvironmentIdentity: lowercase letters, digits and dashes.
var environmentIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func (p *datocmsProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the media library (uploads) of a DatoCMS project through the Content Management API.",
		Attributes: map[string]schema.Attribute{
			"api_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "A DatoCMS API token with access to the Content Management API and permission to manage uploads. " +
					"Falls back to the `" + envAPIToken + "` environment variable.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"environment": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "ID of the DatoCMS environment to manage (for example a sandbox such as `staging`). " +
					"Falls back to the `" + envEnvironment + "` environment variable; the primary environment when both are unset.",
				Validators: []validator.String{stringvalidator.RegexMatches(environmentIDPattern,
					"must be a DatoCMS environment ID: lowercase letters, digits and dashes")},
			},
			"base_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Base URL of the Content Management API. Falls back to the `" + envBaseURL + "` environment variable, " +
					"then to `" + datocms.DefaultBaseURL + "`. Plain `http` is accepted only for a loopback host " +
					"(such as the local API server used by the tests and `make demo`), and a user name or password in the URL " +
					"never. Redirects carry the API token only to the same scheme, host and port, and are never followed to " +
					"plain `http` off loopback.",
				Validators: []validator.String{baseURLValidator{}},
			},
			"always_hash_files": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Read and hash every source file on every plan. By default a file is hashed once per " +
					"version: its MD5 is recorded with its size, modification time, change time, inode and device, and reused " +
					"while all five are unchanged and the file was last modified more than 2 seconds before it was hashed, so " +
					"an unchanged 1 GiB file costs a `stat` per plan. Set `true` to trust nothing recorded by earlier runs (each " +
					"file is still hashed once per Terraform phase). The `" + envDisableShortcuts + "=1` environment variable " +
					"does this and also turns off the provider's other shortcuts for unchanged uploads. On platforms without " +
					"inodes (Windows) every plan hashes the files anyway.",
			},
		},
	}
}

func (p *datocmsProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config datocmsProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	for _, arg := range []struct {
		name  string
		value types.String
	}{{"api_token", config.APIToken}, {"environment", config.Environment}, {"base_url", config.BaseURL}} {
		if arg.value.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(arg.name), "Unknown provider argument",
				"The provider cannot be configured because "+arg.name+" depends on a value known only after apply. "+
					"Set it from a value known at plan time, or apply its dependencies first with -target.")
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	token := stringOrEnv(config.APIToken, envAPIToken)
	if token == "" {
		resp.Diagnostics.AddAttributeError(path.Root("api_token"), "Missing DatoCMS API token",
			"The provider needs a DatoCMS API token with Content Management API access. Set api_token in the provider "+
				"block or the "+envAPIToken+" environment variable.")
	}
	environment := stringOrEnv(config.Environment, envEnvironment)
	if environment != "" && !environmentIDPattern.MatchString(environment) {
		resp.Diagnostics.AddAttributeError(path.Root("environment"), "Invalid DatoCMS environment",
			"The environment (from the provider block or "+envEnvironment+") must be a DatoCMS environment ID made of "+
				"lowercase letters, digits and dashes, got "+strconv.Quote(environment)+".")
	}
	baseURL := stringOrEnv(config.BaseURL, envBaseURL)
	if baseURL == "" {
		baseURL = datocms.DefaultBaseURL
	}
	if problem := checkBaseURL(baseURL); problem != "" {
		resp.Diagnostics.AddAttributeError(path.Root("base_url"), "Invalid DatoCMS base URL", problem)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	client, err := datocms.New(datocms.Config{
		Token:       token,
		BaseURL:     baseURL,
		Environment: environment,
		UserAgent:   "terraform-provider-datocms/" + p.version,
		Logger:      clientLogger(token),
	})
	if err != nil {
		resp.Diagnostics.AddError("Error configuring the DatoCMS client", err.Error())
		return
	}
	resp.Diagnostics.Append(checkProject(ctx, client, argSource{
		token:       sourceName(config.APIToken, "api_token", envAPIToken),
		baseURL:     sourceName(config.BaseURL, "base_url", envBaseURL),
		environment: sourceName(config.Environment, "environment", envEnvironment),
	})...)
	if resp.Diagnostics.HasError() {
		return
	}
	shortcuts := !shortcutsDisabled()
	cache := openCacheDir(&resp.Diagnostics)
	data := &providerData{
		client:    client,
		files:     localfile.New(shortcuts && !config.AlwaysHashFiles.ValueBool(), cache),
		journal:   createjournal.Open(cache),
		owner:     createjournal.CurrentOwner(),
		tracked:   &trackedUploads{},
		claims:    &uploadClaims{},
		cache:     cache,
		shortcuts: shortcuts,
	}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ListResourceData = data
}

func (p *datocmsProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewUploadResource, NewUploadMetadataResource, NewUploadCollectionResource, NewUploadTrackResource}
}

func (p *datocmsProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewUploadDataSource, NewUploadsDataSource, NewUploadCollectionDataSource, NewUploadTracksDataSource}
}

// ListResources are the resource types `terraform query` can find (Terraform 1.14 and later).
func (p *datocmsProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{NewUploadListResource, NewUploadMetadataListResource}
}

func stringOrEnv(v types.String, env string) string {
	if !v.IsNull() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

// checkBaseURL returns why baseURL is unusable, or "". Plain http would send the API token
// in clear text, so it is only allowed to a loopback host.
// It never repeats a password the URL holds.
func checkBaseURL(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return "base_url must be an absolute URL such as " + datocms.DefaultBaseURL + "."
	}
	shown := strconv.Quote(u.Redacted())
	switch {
	case u.User != nil:
		return "base_url " + shown + " holds a user name or password. The provider authenticates with the API token only, " +
			"and a password in the URL would be sent to the API and kept in logs and state: remove it."
	case u.Scheme == "https":
		return ""
	case u.Scheme == "http" && datocms.IsLoopbackHost(u.Hostname()):
		return ""
	case u.Scheme == "http":
		return "base_url " + shown + " uses plain http, which would send the API token unencrypted. " +
			"Use https, or http only with a loopback host (127.0.0.1, ::1 or localhost)."
	default:
		return "base_url must use https, got " + shown + "."
	}
}

// baseURLValidator checks base_url at plan time, before the provider is configured.
type baseURLValidator struct{}

func (baseURLValidator) Description(context.Context) string {
	return "an https URL (or http to a loopback host) without credentials"
}

func (v baseURLValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (baseURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := checkBaseURL(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid DatoCMS base URL", problem)
	}
}

// openCacheDir returns the provider's directory in the user's cache directory, where file
// hashes and the create journal are handed from one provider process to the next, or nil
// with a warning when it cannot be trusted or written (see internal/cachedir).
func openCacheDir(diags *diag.Diagnostics) *cachedir.Root {
	base, err := os.UserCacheDir()
	if err != nil {
		base = ""
	}
	root, err := cachedir.Open(base)
	if err != nil {
		diags.AddWarning("Provider cache directory not used",
			fmt.Sprintf("The provider keeps file hashes and its journal of creates in %s, but does not use it: %s. It runs "+
				"without them, which loses two protections: every source file is read and hashed on every plan (no hash is "+
				"reused from an earlier run), and an apply killed in the middle of a create cannot be recovered from the "+
				"journal (an upload whose create never returned may be left in DatoCMS; plans warn about uploads that hold "+
				"the same file). Fix the directory (it and everything in it must belong to you and be writable by nobody "+
				"else), or set XDG_CACHE_HOME to a directory of your own.", filepath.Join(base, cachedir.Name), err))
		return nil
	}
	return root
}
