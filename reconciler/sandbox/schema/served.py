"""What the sandbox serves: the root fields it implements and the object types it resolves.

The derived schema (derive.py) keeps these root fields with their full argument and input types, and
every served object type with those of its fields whose types are scalars, enums or other served
types. A kept field the resolvers do not implement answers with a GraphQL error naming it.
"""

QUERY_FIELDS = (
    "shop",
    "node",
    "nodes",
    "product",
    "productByIdentifier",
    "productByHandle",
    "products",
    "productsCount",
    "productVariant",
    "productOperation",
    "publications",
    "location",
    "locations",
    "metafieldDefinitions",
    # part 2 (bulk operations): kept in the schema now so the subset is stable
    "bulkOperation",
    "bulkOperations",
    "currentBulkOperation",
)

MUTATION_FIELDS = (
    "productSet",
    "productDelete",
    "metafieldsSet",
    "metafieldsDelete",
    "tagsAdd",
    "tagsRemove",
    "publishablePublish",
    "publishableUnpublish",
    "metafieldDefinitionCreate",
    # part 2
    "productUpdate",
    "productCreateMedia",
    "fileUpdate",
    "stagedUploadsCreate",
    "bulkOperationRunQuery",
    "bulkOperationRunMutation",
    "bulkOperationCancel",
)

# Object, interface and union types whose fields the sandbox resolves (besides the payload, edge,
# connection and user-error types that the root fields above return, which derive.py adds).
SERVED_TYPES = (
    "Shop",
    "Product",
    "ProductVariant",
    "ProductOption",
    "ProductOptionValue",
    "SelectedOption",
    "InventoryItem",
    "InventoryItemMeasurement",
    "Weight",
    "MoneyV2",
    "Metafield",
    "MetafieldDefinition",
    "MetafieldCapabilities",
    "MetafieldCapabilityAdminFilterable",
    "MetafieldCapabilityUniqueValues",
    "MetafieldDefinitionType",
    "MetafieldDefinitionValidation",
    "ShopPlan",
    "Media",
    "MediaImage",
    "MediaPreviewImage",
    "MediaError",
    "Image",
    "File",
    "Publication",
    "ResourcePublicationV2",
    "Location",
    "Count",
    "PageInfo",
    "SEO",
    "ProductOperation",
    "ProductSetOperation",
    "ProductDeleteOperation",
    "BulkOperation",
    "StagedMediaUploadTarget",
    "StagedUploadParameter",
    "Node",
    "HasMetafields",
    "Publishable",
)
