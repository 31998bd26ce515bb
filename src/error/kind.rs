//! [`ViolationKind`]: one variant per rule, each with its code, its stable rule name and its
//! message. A rule name never changes once released: clients match on it.

use super::ErrorCode;
use crate::identity::IdentityError;

/// What went wrong, with the data needed for the message. One variant per rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ViolationKind {
    // ---- application and session (checked before the body is read) ----
    /// The caller did not present the application's id and secret key.
    #[error("wrong application info: the application id or secret key is missing or wrong")]
    AppCredentials,
    /// The application is disabled.
    #[error("this application version is disabled")]
    AppDisabled,
    /// Nobody is logged in.
    #[error("user is not logged in")]
    NotLoggedIn,
    /// The logged-in user targets another record.
    #[error("cannot modify properties of another user")]
    OtherUser,
    /// The target record does not exist.
    #[error("unable to locate the user account")]
    UserNotFound,

    // ---- body level (processing stops) ----
    /// The bytes are not JSON.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// A part of the body has a shape no accepted form of `IUserBody` has.
    #[error("invalid body shape: {0}")]
    InvalidShape(String),
    /// `formIdentifier` is missing or not a string.
    #[error("formIdentifier is required and must be a string")]
    MissingFormIdentifier,
    /// No form with that identifier is registered.
    #[error("unknown form `{0}`")]
    UnknownForm(String),
    /// The body names another form than the one the user was registered with.
    #[error("the user belongs to form `{stored}`, the body names `{sent}`")]
    FormMismatch {
        /// The form of the stored record.
        stored: String,
        /// The form the body names.
        sent: String,
    },
    /// The body is larger than the configured limit.
    #[error("body is {size} bytes, more than the limit of {limit}")]
    BodyTooLarge {
        /// Size of the body.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The body nests deeper than the configured limit.
    #[error("body nests deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// More formData/authData entries than the configured limit.
    #[error("{count} entries, more than the limit of {limit}")]
    TooManyEntries {
        /// Entries found.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A string longer than the configured limit.
    #[error("a string of {len} bytes, more than the limit of {limit}")]
    StringTooLong {
        /// Length of the string in bytes.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// `state` serializes to more than the configured limit.
    #[error("state is {size} bytes serialized, more than the limit of {limit}")]
    StateTooLarge {
        /// Serialized size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    // Stored-size limits: what an update would store, bounded while it is rendered.
    /// A `text`/`textWithHeader` value whose stored HTML and plain text together would pass
    /// `Limits::max_stored_text_bytes`.
    #[error("the stored text (its HTML and plain text together) would be more than {limit} bytes")]
    StoredTextTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The record the update would store (every stored value of every language, plus `state`)
    /// would pass `Limits::max_record_bytes`.
    #[error("the stored record would be more than {limit} bytes")]
    RecordTooLarge {
        /// The limit.
        limit: usize,
    },

    // ---- markers ----
    /// A marker the form does not define (dynamic properties off).
    #[error("marker `{0}` is not defined by the form and dynamic properties are disabled")]
    UnknownMarker(String),
    /// The same marker twice in one language.
    #[error("marker `{0}` appears more than once in language `{1}`")]
    DuplicateMarker(String, String),
    /// A language code that is not accepted.
    #[error("language code `{0}` is not accepted")]
    UnknownLanguage(String),
    /// An authData marker that is neither the login nor the password attribute.
    #[error("`{0}` is not the form's login or password attribute and cannot be sent in authData")]
    NotCredential(String),

    // ---- required ----
    /// A required attribute sent empty or cleared.
    #[error("a value is required")]
    Required,
    /// The password sent empty.
    #[error("the password cannot be empty or cleared")]
    PasswordRequired,

    // ---- types and values ----
    /// The body's `type` differs from the form's.
    #[error("type `{sent}` does not match the attribute's type `{expected}`{hint}")]
    TypeMismatch {
        /// The form's type.
        expected: &'static str,
        /// The type the body sent.
        sent: String,
        /// Extra advice (the `groupOfImage` typo).
        hint: &'static str,
    },
    /// A type name that is not one of the nineteen.
    #[error("`{0}` is not an attribute type")]
    UnknownType(String),
    /// The value has the wrong JSON shape for its type.
    #[error("invalid value: expected {expected}")]
    InvalidValue {
        /// What was expected, in words.
        expected: &'static str,
    },
    /// Not a number or numeric string.
    #[error("`{0}` is not a number")]
    NotANumber(String),
    /// Not a whole number.
    #[error("`{0}` is not a whole number")]
    NotAnInteger(String),
    /// Outside what can be stored (i64, finite f64).
    #[error("`{0}` is out of range")]
    NumberRange(String),
    /// Below `numberInspectionValidator.min`.
    #[error("must be at least {min}")]
    NumberMin {
        /// The minimum.
        min: f64,
    },
    /// Above `numberInspectionValidator.max`.
    #[error("must be at most {max}")]
    NumberMax {
        /// The maximum.
        max: f64,
    },
    /// Fewer characters than `stringMin`.
    #[error("must be at least {min} characters long, got {len}")]
    StringMin {
        /// The minimum.
        min: usize,
        /// The length found.
        len: usize,
    },
    /// More characters than `stringMax`.
    #[error("must be at most {max} characters long, got {len}")]
    StringMax {
        /// The maximum.
        max: usize,
        /// The length found.
        len: usize,
    },
    /// Not exactly `stringLength` characters.
    #[error("must be exactly {expected} characters long, got {len}")]
    StringLength {
        /// The required length.
        expected: usize,
        /// The length found.
        len: usize,
    },
    /// Not an email address.
    #[error("`{0}` is not a valid email address")]
    Email(String),
    /// Does not match `regExpValidator.patternValue`.
    #[error("does not match the pattern `{0}`")]
    Pattern(String),
    /// Does not fit `fieldMaskValidator.maskValue`.
    #[error("does not fit the mask `{0}`")]
    Mask(String),
    /// `fullDate` is not RFC 3339.
    #[error("`{0}` is not an RFC 3339 date-time")]
    DateFormat(String),
    /// `formattedValue` is not `fullDate` rendered with `formatString` at any real offset.
    #[error("formattedValue `{formatted}` is not {full} written as `{format}` at any real UTC offset")]
    FormattedValue {
        /// The formattedValue sent.
        formatted: String,
        /// The fullDate sent.
        full: String,
        /// The format string used.
        format: String,
    },
    /// A moment.js format string with a token we cannot render.
    #[error("unsupported format string `{format}`: {reason}")]
    FormatString {
        /// The format string.
        format: String,
        /// Why.
        reason: String,
    },
    /// Before `dateInspectionValidator.min`.
    #[error("must not be before {0}")]
    DateMin(String),
    /// After `dateInspectionValidator.max`.
    #[error("must not be after {0}")]
    DateMax(String),
    /// An option that is not among the attribute's `listTitles`.
    #[error("`{0}` is not one of the options")]
    UnknownOption(String),
    /// The same option twice.
    #[error("option `{0}` is chosen more than once")]
    DuplicateOption(String),
    /// Several options for a single-choice attribute.
    #[error("only one option may be chosen, got {0}")]
    TooManyOptions(usize),
    /// Fewer items than `listInspectionValidator.minItems`.
    #[error("at least {min} items required, got {count}")]
    ListMinItems {
        /// The minimum.
        min: usize,
        /// Items found.
        count: usize,
    },
    /// More items than `listInspectionValidator.maxItems`.
    #[error("at most {max} items allowed, got {count}")]
    ListMaxItems {
        /// The maximum.
        max: usize,
        /// Items found.
        count: usize,
    },
    /// A file name that is absolute, empty or climbs with `..`.
    #[error("`{0}` is not a safe relative file name")]
    FileName(String),
    /// A link that is not an http(s) URL.
    #[error("`{0}` is not an http(s) URL")]
    FileLink(String),
    /// A size that is not a non-negative integer.
    #[error("size must be a non-negative whole number")]
    FileSize,
    /// An extension not in `checkingFilesValidator.extensions`.
    #[error("extension of `{name}` is not one of {allowed}")]
    FileExtension {
        /// The file name.
        name: String,
        /// The allowed extensions, comma separated.
        allowed: String,
    },
    /// More files than `checkingFilesValidator.maxCount`.
    #[error("at most {max} files allowed, got {count}")]
    FileCount {
        /// The maximum.
        max: usize,
        /// Files found.
        count: usize,
    },
    /// A file larger than `checkingFilesValidator.maxValue` (in `maxUnits`).
    #[error("file is {size} bytes, more than {max}")]
    FileMaxSize {
        /// The maximum.
        max: u64,
        /// The file's size.
        size: u64,
    },
    /// A link to a host not in `checkingFilesValidator.allowedHosts`.
    #[error("host `{0}` is not allowed")]
    FileHost(String),
    // ---- OneEntry's submission validators (issue 15; `minMaxDateValidator` reports as
    // `date-min`/`date-max`) ----
    /// Not an absolute http(s) URL (`urlInspectionValidator`).
    #[error("`{0}` is not an absolute http(s) URL")]
    Url(String),
    /// A text that is not a number (`checkForNumberValidator`).
    #[error("`{0}` is not a number")]
    NotNumeric(String),
    /// Not a number with at most `roundingNumberValidator.decimalPlaces` decimal places.
    #[error("`{value}` is not a number with at most {places} decimal places")]
    DecimalPlaces {
        /// The value, as written (a number in its shortest form).
        value: String,
        /// The most decimal places allowed.
        places: u32,
    },
    /// Neither `true` nor `false` (`booleanValidator`).
    #[error("`{0}` is not true or false")]
    NotBoolean(String),
    /// Does not compare with `comparisonValidator.value` as its `operator` says.
    #[error("`{value}` is not {operator} {against}")]
    Comparison {
        /// The value, as written.
        value: String,
        /// The operator.
        operator: &'static str,
        /// The fixed value compared with.
        against: String,
    },
    /// Not one of `checkForAGivenList.values`.
    #[error("`{value}` is not one of {allowed}")]
    NotInGivenList {
        /// The value, as written.
        value: String,
        /// The allowed values, comma separated.
        allowed: String,
    },
    // ---- end of issue 15's validators ----
    /// An entity id that is neither a page number nor a product id like `p-1-123`.
    #[error("`{0}` is not an entity id")]
    EntityId(String),
    /// An interval whose start is not before its end.
    #[error("interval start must be before its end")]
    IntervalOrder,
    /// An interval bound that is not RFC 3339.
    #[error("`{0}` is not an RFC 3339 date-time")]
    IntervalFormat(String),
    /// A value sent for a button.
    #[error("a button carries no value")]
    ButtonValue,
    /// A form with a captcha got no captcha.
    #[error("the captcha `{0}` must be solved")]
    CaptchaRequired(String),
    /// The captcha verifier refused the token.
    #[error("captcha verification failed")]
    CaptchaInvalid,
    /// The captcha names another site key.
    #[error("captcha site key does not match the form's")]
    CaptchaSiteKey,
    /// A read-only attribute sent with a new value.
    #[error("attribute is read-only")]
    ReadOnly,
    /// Not an E.164 phone number.
    #[error("`{0}` is not a phone number in international format (+ and 7 to 15 digits)")]
    Phone(String),

    // ---- notification data and credentials (real OneEntry bodies) ----
    /// A `phonePush` item that cannot be a push-notification identifier.
    #[error("not a push-notification identifier: {0}")]
    PushId(&'static str),
    /// More distinct `phonePush` identifiers than allowed.
    #[error("{count} push-notification identifiers; at most {limit} are kept")]
    TooManyPushIds {
        /// Distinct identifiers sent.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// The password sent in both authData and formData, with different values.
    #[error("the password was sent in authData and in formData with different values")]
    PasswordConflict,
    /// `state` is not an object.
    #[error("state must be an object")]
    StateNotObject,
    /// The store kept reporting concurrent changes.
    #[error("the record kept changing concurrently; gave up after {0} attempts")]
    Conflict(u32),
    /// The store failed.
    #[error("storage error: {0}")]
    Storage(String),

    // ---- identity ----
    /// Another user holds this identity.
    #[error("identity `{0}` is already taken")]
    IdentityTaken(String),
    /// The login value cannot be an identity (`identity::prepare`: PRECIS UsernameCaseMapped,
    /// an e-mail's domain under UTS 46).
    #[error("not a valid identity: {0}")]
    InvalidIdentity(IdentityError),
}

impl ViolationKind {
    /// The numeric code of SPEC §6.
    pub fn code(&self) -> ErrorCode {
        use ViolationKind::*;
        match self {
            AppCredentials | AppDisabled => ErrorCode::AppInfo,
            NotLoggedIn => ErrorCode::NotLoggedIn,
            OtherUser => ErrorCode::OtherUser,
            UserNotFound => ErrorCode::UserNotFound,
            UnknownMarker(_) => ErrorCode::UnknownProperty,
            Required | PasswordRequired => ErrorCode::Required,
            IdentityTaken(_) => ErrorCode::IdentityTaken,
            _ => ErrorCode::Update,
        }
    }

    /// True for the 3024s that concern the body as a whole (they stop processing).
    pub fn is_body_level(&self) -> bool {
        use ViolationKind::*;
        matches!(
            self,
            MalformedJson(_)
                | InvalidShape(_)
                | MissingFormIdentifier
                | UnknownForm(_)
                | FormMismatch { .. }
                | BodyTooLarge { .. }
                | TooDeep { .. }
                | TooManyEntries { .. }
                | StringTooLong { .. }
                | StateTooLarge { .. }
                | StoredTextTooLarge { .. }
                | RecordTooLarge { .. }
        )
    }

    /// The stable kebab-case rule name.
    pub fn rule(&self) -> &'static str {
        use ViolationKind::*;
        match self {
            AppCredentials => "app-credentials",
            AppDisabled => "app-disabled",
            NotLoggedIn => "not-logged-in",
            OtherUser => "other-user",
            UserNotFound => "user-not-found",
            MalformedJson(_) => "malformed-json",
            InvalidShape(_) => "invalid-shape",
            MissingFormIdentifier => "missing-form-identifier",
            UnknownForm(_) => "unknown-form",
            FormMismatch { .. } => "form-mismatch",
            BodyTooLarge { .. } => "body-too-large",
            TooDeep { .. } => "too-deep",
            TooManyEntries { .. } => "too-many-entries",
            StringTooLong { .. } => "string-too-long",
            StateTooLarge { .. } => "state-too-large",
            StoredTextTooLarge { .. } => "stored-text-too-large",
            RecordTooLarge { .. } => "record-too-large",
            UnknownMarker(_) => "unknown-marker",
            DuplicateMarker(..) => "duplicate-marker",
            UnknownLanguage(_) => "unknown-language",
            NotCredential(_) => "not-credential",
            Required => "required",
            PasswordRequired => "password-required",
            TypeMismatch { .. } => "type-mismatch",
            UnknownType(_) => "unknown-type",
            InvalidValue { .. } => "invalid-value",
            NotANumber(_) => "not-a-number",
            NotAnInteger(_) => "not-an-integer",
            NumberRange(_) => "number-range",
            NumberMin { .. } => "number-min",
            NumberMax { .. } => "number-max",
            StringMin { .. } => "string-min",
            StringMax { .. } => "string-max",
            StringLength { .. } => "string-length",
            Email(_) => "email",
            Pattern(_) => "pattern",
            Mask(_) => "mask",
            DateFormat(_) => "date-format",
            FormattedValue { .. } => "formatted-value",
            FormatString { .. } => "format-string",
            DateMin(_) => "date-min",
            DateMax(_) => "date-max",
            UnknownOption(_) => "unknown-option",
            DuplicateOption(_) => "duplicate-option",
            TooManyOptions(_) => "too-many-options",
            ListMinItems { .. } => "list-min-items",
            ListMaxItems { .. } => "list-max-items",
            FileName(_) => "file-name",
            FileLink(_) => "file-link",
            FileSize => "file-size",
            FileExtension { .. } => "file-extension",
            FileCount { .. } => "file-count",
            FileMaxSize { .. } => "file-max-size",
            FileHost(_) => "file-host",
            Url(_) => "url",
            NotNumeric(_) => "numeric-text",
            DecimalPlaces { .. } => "decimal-places",
            NotBoolean(_) => "boolean",
            Comparison { .. } => "comparison",
            NotInGivenList { .. } => "given-list",
            EntityId(_) => "entity-id",
            IntervalOrder => "interval-order",
            IntervalFormat(_) => "interval-format",
            ButtonValue => "button-value",
            CaptchaRequired(_) => "captcha-required",
            CaptchaInvalid => "captcha-invalid",
            CaptchaSiteKey => "captcha-site-key",
            ReadOnly => "read-only",
            Phone(_) => "phone",
            PushId(_) => "push-id",
            TooManyPushIds { .. } => "too-many-push-ids",
            PasswordConflict => "password-conflict",
            StateNotObject => "state-not-object",
            Conflict(_) => "conflict",
            Storage(_) => "storage",
            IdentityTaken(_) => "identity-taken",
            InvalidIdentity(_) => "invalid-identity",
        }
    }
}
