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
)
