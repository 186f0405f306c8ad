//! Chained setters, written once for every builder-style type of the workspace, and the
//! conversions of the text newtypes.

/// Chained setters for a struct's fields, with their doc comments:
///
/// - `name: Option<T>;` makes `fn name(mut self, value: impl Into<T>) -> Self`, setting
///   `Some(value.into())`;
/// - `name: some T;` makes `fn name(mut self, value: T) -> Self` for an `Option<T>` field
///   (numbers and flags, where `Into` would leave a literal's type open);
/// - `name: into T;` makes `fn name(mut self, value: impl Into<T>) -> Self` for a plain
///   `T` field;
/// - `name: T;` makes `fn name(mut self, value: T) -> Self`;
/// - `name: const T;` makes the same as a `const fn` (for `Copy` tables built in consts).
///
/// ```
/// #[derive(Default)]
/// struct Query { url: Option<String>, top: Option<u32>, host: String, count: bool }
/// impl Query {
///     hook_model::setters! {
///         /// Only this URL.
///         url: Option<String>;
///         /// At most this many.
///         top: some u32;
///         /// Another host.
///         host: into String;
///         /// Ask for the total.
///         count: bool;
///     }
/// }
/// let query = Query::default().url("https://x.example").top(10).host("h").count(true);
/// assert_eq!((query.url.as_deref(), query.host.as_str(), query.count), (Some("https://x.example"), "h", true));
/// ```
#[macro_export]
macro_rules! setters {
    ($(#[$meta:meta])* $name:ident: Option<$ty:ty>; $($rest:tt)*) => {
        $(#[$meta])*
        pub fn $name(mut self, value: impl Into<$ty>) -> Self {
            self.$name = Some(value.into());
            self
        }
        $crate::setters!($($rest)*);
    };
    ($(#[$meta:meta])* $name:ident: some $ty:ty; $($rest:tt)*) => {
        $(#[$meta])*
        pub fn $name(mut self, value: $ty) -> Self {
            self.$name = Some(value);
            self
        }
        $crate::setters!($($rest)*);
    };
    ($(#[$meta:meta])* $name:ident: into $ty:ty; $($rest:tt)*) => {
        $(#[$meta])*
        pub fn $name(mut self, value: impl Into<$ty>) -> Self {
            self.$name = value.into();
            self
        }
        $crate::setters!($($rest)*);
    };
    ($(#[$meta:meta])* $name:ident: const $ty:ty; $($rest:tt)*) => {
        $(#[$meta])*
        pub const fn $name(mut self, value: $ty) -> Self {
            self.$name = value;
            self
        }
        $crate::setters!($($rest)*);
    };
    ($(#[$meta:meta])* $name:ident: $ty:ty; $($rest:tt)*) => {
        $(#[$meta])*
        pub fn $name(mut self, value: $ty) -> Self {
            self.$name = value;
            self
        }
        $crate::setters!($($rest)*);
    };
    () => {};
}

/// `Display` (the text as is) and `From<&str>`, `From<String>` (through `new`) for a
/// newtype over text, such as [`crate::EventType`] and [`crate::WebhookId`].
macro_rules! text_type {
    ($type:ident) => {
        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $type {
            fn from(text: &str) -> Self {
                $type::new(text)
            }
        }

        impl From<String> for $type {
            fn from(text: String) -> Self {
                $type::new(text)
            }
        }
    };
}
pub(crate) use text_type;
