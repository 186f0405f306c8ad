//! Provider options: what one provider's webhooks take beyond the common model, as a type
//! of that provider's crate (Port's caller-chosen identifier, UiPath's subscription to
//! every event), carried by a [`crate::WebhookSpec`] without the common model naming it.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use crate::Provider;

/// One provider's option for a webhook: a type in the provider's crate
/// (`hook_port::PortOptions`, `hook_uipath::UiPathOptions`). A spec carrying an option
/// of another provider is refused by [`crate::Capabilities::check_spec`] with
/// [`crate::Error::Unsupported`] naming it, so nothing is dropped silently.
pub trait ProviderOption: Any + Send + Sync + fmt::Debug {
    /// The provider that reads it.
    fn provider(&self) -> Provider;
    /// Its name in errors (`identifier`, `all events`).
    fn name(&self) -> &'static str;
}

/// What [`Options`] stores: an option that can be compared and read back as its type.
trait Stored: Send + Sync + fmt::Debug {
    fn option(&self) -> &dyn ProviderOption;
    fn any(&self) -> &dyn Any;
    fn same(&self, other: &dyn Stored) -> bool;
}

impl<O: ProviderOption + PartialEq> Stored for O {
    fn option(&self) -> &dyn ProviderOption {
        self
    }

    fn any(&self) -> &dyn Any {
        self
    }

    fn same(&self, other: &dyn Stored) -> bool {
        other.any().downcast_ref::<O>() == Some(self)
    }
}

/// The provider options a spec carries, at most one of each type.
///
/// ```
/// use hook_model::{Options, Provider, ProviderOption};
/// #[derive(Debug, PartialEq)]
/// struct Colour(&'static str);
/// impl ProviderOption for Colour {
///     fn provider(&self) -> Provider { Provider::new("acme") }
///     fn name(&self) -> &'static str { "colour" }
/// }
/// let options = Options::default().with(Colour("red")).with(Colour("blue"));
/// assert_eq!(options.get::<Colour>(), Some(&Colour("blue")));
/// assert_eq!(options.iter().count(), 1);
/// ```
#[derive(Clone, Default)]
pub struct Options {
    items: Vec<Arc<dyn Stored>>,
}

impl Options {
    /// The same options with `option`, replacing one of its type.
    pub fn with<O: ProviderOption + PartialEq>(mut self, option: O) -> Self {
        self.items.retain(|item| !item.any().is::<O>());
        self.items.push(Arc::new(option));
        self
    }

    /// The option of type `O`, if set.
    pub fn get<O: ProviderOption>(&self) -> Option<&O> {
        self.items
            .iter()
            .find_map(|item| item.any().downcast_ref::<O>())
    }

    /// Every option set.
    pub fn iter(&self) -> impl Iterator<Item = &dyn ProviderOption> {
        self.items.iter().map(|item| item.option())
    }

    /// Whether none is set.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.items.iter().map(|item| item.option()))
            .finish()
    }
}

impl PartialEq for Options {
    fn eq(&self, other: &Self) -> bool {
        self.items.len() == other.items.len()
            && self
                .items
                .iter()
                .all(|mine| other.items.iter().any(|theirs| mine.same(theirs.as_ref())))
    }
}

impl Eq for Options {}
