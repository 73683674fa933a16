"""Messages of CKAN's own templates that STInfo translates anew.

CKAN's Vietnamese catalogue leaves these untranslated or words them for a generic data portal;
listing them here puts them in the STInfo catalogue, whose translations take precedence over
CKAN's (extension catalogues are merged after the core one). Nothing imports this module.
"""
from ckanext.stinfo.identifiers import N_

MESSAGES = (
    # search page and facets
    N_("Filter by: {title}"),
    N_("Search datasets by {name}: {label}"),
    N_("Show More {facet_type}"),
    N_("Show Only Popular {facet_type}"),
    N_("There are no {facet_type} that match this search"),
    N_("Order by"),
    N_("Submit"),
    N_("Remove applied filter: {value}"),
    N_("Filter Results"),
    N_('<p class="extra">Please try another search.</p>'),
    N_('<p id="search-error"><strong>There was an error while searching.</strong> Please try again.</p>'),
    N_("Skip to main content"),
    N_("Breadcrumb"),
    # record page and resources
    N_("Dataset"),
    N_("Data and Resources"),
    N_("This dataset has no data"),
    N_('<p class="empty">This dataset has no data, <a href="%(url)s">why not add some?</a></p>'),
    N_("Navigate to resource: {name_or_id}"),
    N_("Explore"),
    N_("Go to resource"),
    N_("Edit resource"),
    N_("Views"),
    N_("Additional Info"),
    N_("Additional Information"),
    N_("Field"),
    N_("Current resource: {name}"),
    N_("Resource URL: {url}"),
    N_("Dataset description:"),
    N_("Data last updated"),
    N_("Metadata last updated"),
    N_("Created"),
    N_("There are no views created for this resource yet."),
    # publishing forms
    N_("Visibility"),
    N_("No Organization"),
    N_("Please select the license"),
    N_("Publish"),
    N_("Unpublish"),
    N_("Update Dataset"),
    N_("Next: Add Data"),
    N_("Create Dataset"),
    N_("Add data"),
    N_("This will be guessed automatically. Leave blank if you wish"),
    N_("Collaborators"),
    N_("Reorder resources"),
    N_("Maintainer"),
    N_("Maintainer Email"),
    N_("Edit metadata"),
    N_("View dataset"),
    N_("Required field"),
    N_("The form contains invalid entries:"),
    N_('You can use <a href="#markdown" title="Markdown quick reference" data-bs-toggle="popover" '
       'data-bs-content="%(markdown_tooltip)s" data-bs-html="true">Markdown formatting</a> here'),
    N_("The <i>data license</i> you select above only applies to the contents of any resource files that "
       "you add to this dataset. By submitting this form, you agree to release the <i>metadata</i> values "
       "that you enter into the form under the "
       '<a href="http://opendatacommons.org/licenses/odbl/1-0/">Open Database License</a>.'),
    N_("Are you sure you want to delete this dataset?"),
    N_("No organization"),
    N_("Next"),
    N_("Update {page}"),
    N_("Data"),
    N_("Upload a file on your computer"),
    N_("Link to a URL on the internet (you can also link to an API)"),
    N_("View resource"),
    N_("Add data to the dataset"),
    N_("Add New Resource"),
    N_("Add resource"),
    N_("New resource"),
    N_("Image URL"),
    N_("Custom"),
    N_("Key"),
    # interactive widgets: CKAN's JavaScript modules, translated through /api/i18n/<lang>
    # (ckanext.stinfo.js_i18n); only messages CKAN's catalogue lacks or words poorly
    N_("Are you sure you want to perform this action?"),
    N_("Please Confirm"),
    N_("Close"),
    N_("Notification"),
    N_("There are unsaved modifications to this form"),
    N_("Please select the file to upload again"),
    N_("Searching..."),
    N_("Save order"),
    N_("Saving..."),
    N_("Reorder resource view"),
    N_('You can rearrange the resources by dragging them using the arrow icon. Drag the resource to the '
       'right and place it to the desired location on the list. When you are done, click the "Save order" '
       "-button."),
    N_("Add Filter"),
    N_("Select a field"),
    N_("Failed to load data API information"),
    N_("There is no API data to load for this resource"),
    N_("An error occured during AJAX request. Could not load view."),
    N_("TABLE FILTER"),
    N_("COLUMN FILTER/S"),
    N_("Filtered"),
    N_("Filtered download"),
    N_("(estimated)"),
    N_("seconds"),
    N_("Sort"),
    N_("Press SHIFT key while clicking on\nsort control for multi-column sort"),
    N_("Double-click to reset filters"),
    N_("Reset"),
    N_("Toggle column visibility"),
    N_("Restore visibility"),
    N_("Show all"),
    N_("Show none"),
    N_("Table/List toggle"),
    N_("Share current view"),
    N_("Copied deeplink to clipboard"),
    N_("Copy to clipboard"),
    N_("Print"),
)


def ngettext(singular: str, plural: str, num: int) -> tuple[str, str]:
    """Mark a message that has a plural form for extraction without translating it."""
    return singular, plural


PLURAL_MESSAGES = (
    # autocomplete (select2) of CKAN's forms
    ngettext("Input is too short, must be at least one character",
             "Input is too short, must be at least %(num)d characters", 1),
)
