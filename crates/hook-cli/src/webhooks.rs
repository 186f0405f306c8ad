//! `hook webhooks …`: manage webhooks of any provider through `dyn WebhookApi`.

use std::collections::HashMap;
use std::process::ExitCode;

use clap::Subcommand;
use hook_facade::model::EventTypeInfo;
use hook_facade::{
    Descriptor, EventType, ListQuery, Provider, Registry, Secret, Webhook, WebhookApi, WebhookId,
    WebhookPatch, WebhookSpec,
};

use crate::{Fail, table};

/// Connection flags override the `HOOK_*` environment variables of the same meaning.
/// Credentials and secrets are [`Secret`]s from the moment they are parsed, so `Debug`
/// shows none of them.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// uipath, port, up42 or generic.
    #[arg(long, short = 'p', global = true, value_parser = parse_provider)]
    provider: Option<Provider>,
    /// Print JSON (secrets redacted) instead of a table.
    #[arg(long, global = true)]
    json: bool,
    /// Print only the ids, one a line (for scripts: `ID=$(hook webhooks create … -q)`).
    #[arg(long, short = 'q', global = true, conflicts_with = "json")]
    quiet: bool,
    /// Base URL (`HOOK_UIPATH_URL`, `HOOK_PORT_URL`, …).
    #[arg(long, global = true)]
    base_url: Option<String>,
    /// API key of the generic service (HOOK_GENERIC_API_KEY).
    #[arg(long, global = true)]
    api_key: Option<Secret>,
    /// Client id (UiPath, Port).
    #[arg(long, global = true)]
    client_id: Option<String>,
    /// Client secret (UiPath, Port); prefer the environment variable.
    #[arg(long, global = true)]
    client_secret: Option<Secret>,
    /// UiPath personal access token (HOOK_UIPATH_PAT).
    #[arg(long, global = true)]
    pat: Option<Secret>,
    /// UiPath organization (HOOK_UIPATH_ORG).
    #[arg(long, global = true)]
    org: Option<String>,
    /// UiPath tenant (HOOK_UIPATH_TENANT).
    #[arg(long, global = true)]
    tenant: Option<String>,
    /// UP42 user name (HOOK_UP42_USERNAME).
    #[arg(long, global = true)]
    username: Option<String>,
    /// UP42 password (HOOK_UP42_PASSWORD); prefer the environment variable.
    #[arg(long, global = true)]
    password: Option<Secret>,
    /// UP42 workspace (HOOK_UP42_WORKSPACE).
    #[arg(long, global = true)]
    workspace: Option<String>,
    /// UP42 token endpoint (HOOK_UP42_TOKEN_URL).
    #[arg(long, global = true)]
    token_url: Option<String>,
    #[command(subcommand)]
    command: WebhookCommand,
}

#[derive(Debug, Subcommand)]
enum WebhookCommand {
    /// List webhooks (one page).
    List {
        /// Only enabled (true) or disabled (false) ones.
        #[arg(long)]
        enabled: Option<bool>,
        /// Only those subscribed to this event.
        #[arg(long)]
        event: Option<String>,
        /// Only those delivering to this URL.
        #[arg(long)]
        url: Option<String>,
        /// The page, from 1.
        #[arg(long)]
        page: Option<u32>,
        /// Items per page.
        #[arg(long)]
        per_page: Option<u32>,
    },
    /// Show one webhook.
    Get {
        /// The webhook's id.
        id: String,
    },
    /// Create a webhook.
    Create {
        /// Where deliveries go; leave it out for inbound webhooks (Port), whose URL the
        /// provider assigns and prints.
        #[arg(long)]
        url: Option<String>,
        /// Its name (Port: its title; the identifier derives from it).
        #[arg(long)]
        name: Option<String>,
        /// Port's identifier.
        #[arg(long)]
        identifier: Option<String>,
        /// An event to subscribe to (repeat for more).
        #[arg(long = "event")]
        events: Vec<String>,
        /// The signing secret.
        #[arg(long)]
        secret: Option<Secret>,
        /// Create it disabled.
        #[arg(long)]
        disabled: bool,
    },
    /// Change a webhook.
    Update {
        /// The webhook's id.
        id: String,
        /// A new URL.
        #[arg(long)]
        url: Option<String>,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// The new event list (repeat).
        #[arg(long = "event")]
        events: Vec<String>,
        /// Turn delivery on (true) or off (false).
        #[arg(long)]
        enabled: Option<bool>,
        /// A new signing secret.
        #[arg(long)]
        secret: Option<Secret>,
    },
    /// Delete a webhook.
    Delete {
        /// The webhook's id.
        id: String,
    },
    /// Send a test delivery.
    Test {
        /// The webhook's id.
        id: String,
    },
    /// List the provider's event types.
    Events,
}

/// A provider this build knows, by name (any case); the error lists those it knows.
pub fn parse_provider(text: &str) -> Result<Provider, String> {
    text.parse::<Provider>().map_err(|e| e.to_string())
}

/// `provider` if `registry` knows it; a usage error listing the ones it knows.
pub fn known(registry: &Registry, provider: Provider) -> Result<&'static Descriptor, Fail> {
    registry
        .find(provider.as_str())
        .map_err(|e| Fail::Usage(e.to_string()))
}

impl Args {
    /// A client for `provider`: its `HOOK_*` variables from the flags, else the
    /// environment.
    fn connect(
        &self,
        registry: &Registry,
        provider: Provider,
    ) -> Result<Box<dyn WebhookApi>, String> {
        let prefix = format!("HOOK_{}", provider.as_str().to_uppercase());
        let mut flags: HashMap<String, String> = HashMap::new();
        let mut put = |name: String, value: Option<&str>| {
            if let Some(value) = value {
                flags.insert(name, value.to_owned());
            }
        };
        put(format!("{prefix}_URL"), self.base_url.as_deref());
        put(format!("{prefix}_CLIENT_ID"), self.client_id.as_deref());
        put(
            format!("{prefix}_CLIENT_SECRET"),
            self.client_secret.as_ref().map(Secret::expose),
        );
        put(
            "HOOK_GENERIC_API_KEY".into(),
            self.api_key.as_ref().map(Secret::expose),
        );
        put(
            "HOOK_UIPATH_PAT".into(),
            self.pat.as_ref().map(Secret::expose),
        );
        put("HOOK_UIPATH_ORG".into(), self.org.as_deref());
        put("HOOK_UIPATH_TENANT".into(), self.tenant.as_deref());
        put("HOOK_UP42_USERNAME".into(), self.username.as_deref());
        put(
            "HOOK_UP42_PASSWORD".into(),
            self.password.as_ref().map(Secret::expose),
        );
        put("HOOK_UP42_WORKSPACE".into(), self.workspace.as_deref());
        put("HOOK_UP42_TOKEN_URL".into(), self.token_url.as_deref());
        registry
            .connect_vars(provider, |name| {
                flags
                    .get(name)
                    .cloned()
                    .or_else(|| std::env::var(name).ok().filter(|v| !v.is_empty()))
            })
            .map_err(|e| e.report())
    }
}

fn events(names: &[String]) -> Vec<EventType> {
    names.iter().map(|n| EventType::new(n.as_str())).collect()
}

pub async fn run(args: Args, registry: &Registry) -> Result<ExitCode, Fail> {
    let provider = args.provider.ok_or_else(|| {
        let names: Vec<String> = registry
            .providers()
            .iter()
            .map(|d| d.provider.to_string())
            .collect();
        Fail::Error(format!(
            "say which provider with --provider {}",
            names.join("|")
        ))
    })?;
    known(registry, provider)?;
    let api = args.connect(registry, provider)?;
    let api: &dyn WebhookApi = api.as_ref();
    // One line: the error and each cause, once.
    let fail = |e: hook_facade::Error| e.report();
    match &args.command {
        WebhookCommand::List {
            enabled,
            event,
            url,
            page,
            per_page,
        } => {
            let mut query = ListQuery::new();
            query.enabled = *enabled;
            query.event_type = event.as_deref().map(EventType::new);
            query.url.clone_from(url);
            query.page = *page;
            query.per_page = *per_page;
            let page = api.list(&query).await.map_err(fail)?;
            print_as(&page.items, args.json, args.quiet);
            if !args.json && page.has_more {
                println!("(more on page {})", page.page + 1);
            }
        }
        WebhookCommand::Get { id } => {
            let webhook = api.get(&WebhookId::new(id.as_str())).await.map_err(fail)?;
            print_as(&[webhook], args.json, args.quiet);
        }
        WebhookCommand::Create {
            url,
            name,
            identifier,
            events: names,
            secret,
            disabled,
        } => {
            let start = match url {
                Some(url) => WebhookSpec::builder(url.as_str()),
                None if api.capabilities().is_inbound() => WebhookSpec::inbound(),
                None => {
                    return Err(Fail::Error(format!(
                        "{} delivers to a URL you choose: give --url",
                        registry.descriptor(api.provider()).map_or_else(
                            |_| api.provider().to_string(),
                            |d| d.display_name.to_owned()
                        )
                    )));
                }
            };
            let mut spec = start.events(events(names)).enabled(!disabled).build();
            spec.name.clone_from(name);
            spec.secret = secret.clone();
            // Port's own option: any other provider refuses it, naming it.
            if let Some(identifier) = identifier {
                spec = spec.option(hook_facade::port::PortOptions::identifier(identifier));
            }
            let webhook = api.create(&spec).await.map_err(fail)?;
            print_as(&[webhook], args.json, args.quiet);
        }
        WebhookCommand::Update {
            id,
            url,
            name,
            events: names,
            enabled,
            secret,
        } => {
            let mut patch = WebhookPatch::new();
            patch.url.clone_from(url);
            patch.name.clone_from(name);
            patch.events = (!names.is_empty()).then(|| events(names));
            patch.enabled = *enabled;
            patch.secret = secret.clone();
            if patch.is_empty() {
                return Err(
                    "nothing to change: give --url, --name, --event, --enabled or --secret".into(),
                );
            }
            let webhook = api
                .update(&WebhookId::new(id.as_str()), &patch)
                .await
                .map_err(fail)?;
            print_as(&[webhook], args.json, args.quiet);
        }
        WebhookCommand::Delete { id } => {
            api.delete(&WebhookId::new(id.as_str()))
                .await
                .map_err(fail)?;
            if args.json {
                println!("{}", serde_json::json!({"deleted": id}));
            } else {
                println!("deleted {id}");
            }
        }
        WebhookCommand::Test { id } => {
            let outcome = api.test(&WebhookId::new(id.as_str())).await.map_err(fail)?;
            if args.json {
                println!("{}", hook_facade::model::redact_json(&outcome.native));
            } else {
                println!(
                    "test sent{}{}",
                    outcome
                        .event_id
                        .map(|e| format!(": event {e}"))
                        .unwrap_or_default(),
                    match (outcome.tests_run, outcome.tests_succeeded) {
                        (Some(run), Some(ok)) => format!(" ({ok} of {run} arrived)"),
                        _ => String::new(),
                    }
                );
            }
        }
        WebhookCommand::Events => {
            let types = api.event_types().await.map_err(fail)?;
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&types).map_err(|e| e.to_string())?
                );
            } else {
                let rows: Vec<Vec<String>> = types.iter().map(event_row).collect();
                print!(
                    "{}",
                    table::render(&["event", "group", "description"], &rows)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A row of `hook webhooks events`: name, group, description.
fn event_row(event: &EventTypeInfo) -> Vec<String> {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    vec![
        event.name.to_string(),
        text(&event.group),
        text(&event.description),
    ]
}

/// A row of the webhook table: id, name, URL, enabled, events.
fn webhook_row(webhook: &Webhook) -> Vec<String> {
    let events = if webhook.all_events {
        "(all)".to_owned()
    } else {
        let names: Vec<&str> = webhook.events.iter().map(EventType::as_str).collect();
        names.join(",")
    };
    let enabled = if webhook.enabled { "yes" } else { "no" };
    vec![
        webhook.id.to_string(),
        webhook.name.clone().unwrap_or_default(),
        webhook.url.clone(),
        enabled.to_owned(),
        events,
    ]
}

/// A table, JSON (secrets redacted) or, quiet, the ids alone.
fn print_as(webhooks: &[Webhook], json: bool, quiet: bool) {
    if quiet {
        for webhook in webhooks {
            println!("{}", webhook.id);
        }
        return;
    }
    if json {
        let shown: Vec<serde_json::Value> = webhooks
            .iter()
            .map(|w| {
                let mut value = serde_json::to_value(w).unwrap_or_default();
                value["native"] = hook_facade::model::redact_json(&w.native);
                value
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&shown).unwrap_or_default()
        );
        return;
    }
    let rows: Vec<Vec<String>> = webhooks.iter().map(webhook_row).collect();
    print!(
        "{}",
        table::render(&["id", "name", "url", "enabled", "events"], &rows)
    );
}
