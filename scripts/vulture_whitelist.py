"""Names vulture cannot see used: Django, its apps and the templates reach them
by name, not by a Python reference. `make lint` passes this file to vulture
with the code (see the Makefile), and a name listed here counts as used
wherever it is defined, so keep each group to what its comment says.

A name that is truly unused belongs deleted, not listed here.
"""

# ruff: noqa: B018, F821

# Named by dotted path in settings (apps, middleware, context processors,
# logging, django-axes, WSGI) or in cases/urls.py.
_.CasesConfig, _.default_auto_field, _.ready, _.application, _.app_name, _.navigation
_.DatabaseUnavailableMiddleware, _.RequestLogMiddleware, _.process_exception
_.EmptyAdminToFieldMiddleware
_.SiteModeMiddleware, _.PageCacheMiddleware, _.JSONFormatter, _.StdoutHandler
_.lockout_username, _.urlpatterns, _.handler500
# Overrides of the standard library's hooks (logging.Formatter.format).
_.format
# Django's hook behind every get_<field>_display() (cases.models.ChoiceLabels).
_._get_FIELD_display
# Django reads a record's ModelState (saves, validation); querysets.lean_chunks sets it.
_.adding
# Django's hook deciding what a query groups by (cases.querysets.TypedNull).
_.get_group_by_cols

# Named by dotted path in the registry (cases/kinds.py: table_path, filterset_path).
_.TransferTable, _.DetaineeGroupTable, _.AgreementTable, _.ActorTable, _.FacilityTable
_.EventTable, _.StatementTable, _.SourceTable
_.TransferFilter, _.DetaineeGroupFilter, _.AgreementFilter, _.ActorFilter, _.FacilityFilter
_.EventFilter, _.StatementFilter, _.SourceFilter

# Management commands.
_.Command, _.help, _.add_arguments, _.handle

# Admin options and hooks, form fields, clean_<field>() and fields' hooks,
# and django-simple-history's (its admin calls set_history_delta_changes with
# foreign_keys_are_objs; admin reads _history_user and the rows' extra columns).
_.list_display, _.list_select_related, _.autocomplete_fields, _.readonly_fields
_.prepopulated_fields, _.inlines, _.fk_name, _.list_per_page, _.save_on_top, _.view_on_site
_.site_header, _.site_title, _.index_title, _.save_formset, _.numbered_paragraphs
_.object_history_list_template, _.delete_confirmation_template, _.history_list_display
_.set_history_delta_changes, _.foreign_keys_are_objs, _.history_delta_changes
_._history_user, _._history_date, _.history_is_public_change, _.change_kind, _.change_reason
_.clean_text, _.clean_quote, _.versions, _.help_text, _.widget, _.prepare_value, _.to_python

# Models: Meta options, natural keys' dependencies, choices, and fields the
# ORM, admin, the seed and the exports reach by name.
_.abstract, _.ordering, _.indexes, _.constraints, _.permissions, _.dependencies, _.TableVersion
_.CLARIFICATION, _.UNDER_CONSIDERATION, _.REACHED, _.IN_EFFECT, _.ENDED, _.SCHEDULED
_.CANCELLED, _.PERSON, _.GOVERNMENT, _.GOVERNMENT_OFFICE, _.CRIMINAL_ORGANIZATION, _.NGO
_.MEDIA_OUTLET, _.OTHER, _.PRISON, _.MILITARY_BASE, _.GOVERNMENT_BUILDING, _.NEWS_ARTICLE
_.NEWS_REPORT, _.SOCIAL_MEDIA_POST, _.OFFICIAL_STATEMENT, _.NGO_REPORT
_.internal_note, _.created_at, _.is_key_figure, _.published_on, _.accessed_on, _.transfer
_.detainee_group, _.facility, _.country, _.part_of, _.description, _.description_es
_.location, _.title_es, _.summary, _.summary_es, _.name_es, _.alleged_affiliations
_.alleged_by, _.nationality, _.sent_by, _.received_by, _.destination, _.from_country
_.medium, _.participants

# django-filter's declared filters and django-tables2's options.
_.q, _.date_after, _.date_before, _.affiliation, _.participant
_.attrs, _.row_attrs, _.empty_text, _.per_page_field, _.empty_values

# Class-based views' and syndication feeds' hooks.
_.get_queryset, _.get_table, _.get_table_kwargs, _.table_class, _.filterset_class
_.feed_type, _.subtitle, _.item_title, _.item_description, _.item_link, _.item_guid
_.item_guid_is_permalink, _.item_updateddate

# Read by templates.
_.count_display, _.num_pages_display, _.opening, _.marked_quote, _.fields_with_facets
_.facets_without_counts, _.supported_labels, _.alias_list, _.as_it_stood_url
_.previous_url, _.next_url, _.meaning, _.decided_by

# Read by Django's query machinery (Func, QuerySet) and by WeasyPrint's metadata.
_.function, _.output_field, _._iterable_class, _.authors, _.created, _.generator
_.keywords, _.modified, _.arg_joiner

# Called by migrations (not scanned) and by tests (not scanned).
_.postgres_fold_function_sql, _.postgres_fold_index_sql, _.sqlite_create_sql
_.postgres_folded_columns_sql, _.postgres_drop_folded_columns_sql
_.tables_without_trigger

# Named in settings (DATABASE_ROUTERS, MIDDLEWARE) when replicas are configured;
# Django calls the router's hook by name.
_.ReplicaRouter, _.ReplicaMiddleware, _.db_for_read

# Spanish versions, read by name (CaseRecord.wording: getattr(record, f"{name}_es")).
_.role_es, _.financial_terms_es, _.financial_terms, _.date_inference_es

# A model field read by name (the kinds' claimant_field, the seed's fixtures).
_.claimed_by

# The read API (cases/api.py): django-ninja's hooks and routes, registered by
# decorator; the API token's admin (its hooks and action) and fields.
_.is_anonymous, _._api_error, _.list_corrections, _.get_readonly_fields, _.revoke
_.issued_by, _.revoked_at
