/*
 * model: how the public opaque types map onto flyteidl messages. Each public handle
 * (flyte_literal, flyte_literal_type, ...) is a pb_msg of one descriptor; these helpers
 * convert between the two and name the fields the SDK uses.
 */
#ifndef FLYTE_MODEL_H
#define FLYTE_MODEL_H

#include "flyte/interface.h"
#include "flyte/literal.h"
#include "flyte/literal_type.h"
#include "pb.h"
#include "pb_schema.h"

#define D_LITERAL pb_flyteidl_core_Literal
#define D_LITERAL_MAP pb_flyteidl_core_LiteralMap
#define D_LITERAL_TYPE pb_flyteidl_core_LiteralType
#define D_VARIABLE_MAP pb_flyteidl_core_VariableMap
#define D_TYPED_INTERFACE pb_flyteidl_core_TypedInterface

#define F_LIT(f) PBF_flyteidl_core_Literal_##f
#define F_SCALAR(f) PBF_flyteidl_core_Scalar_##f
#define F_PRIM(f) PBF_flyteidl_core_Primitive_##f
#define F_BLOB(f) PBF_flyteidl_core_Blob_##f
#define F_BLOBMETA(f) PBF_flyteidl_core_BlobMetadata_##f
#define F_BLOBTYPE(f) PBF_flyteidl_core_BlobType_##f
#define F_BINARY(f) PBF_flyteidl_core_Binary_##f
#define F_ERROR(f) PBF_flyteidl_core_Error_##f
#define F_SD(f) PBF_flyteidl_core_StructuredDataset_##f
#define F_SDMETA(f) PBF_flyteidl_core_StructuredDatasetMetadata_##f
#define F_SDTYPE(f) PBF_flyteidl_core_StructuredDatasetType_##f
#define F_SDCOL(f) PBF_flyteidl_core_StructuredDatasetType_DatasetColumn_##f
#define F_SCHEMA(f) PBF_flyteidl_core_Schema_##f
#define F_SCHEMATYPE(f) PBF_flyteidl_core_SchemaType_##f
#define F_SCHEMACOL(f) PBF_flyteidl_core_SchemaType_SchemaColumn_##f
#define F_UNION(f) PBF_flyteidl_core_Union_##f
#define F_UNIONTYPE(f) PBF_flyteidl_core_UnionType_##f
#define F_COLL(f) PBF_flyteidl_core_LiteralCollection_##f
#define F_LMAP(f) PBF_flyteidl_core_LiteralMap_##f
#define F_OFFLOAD(f) PBF_flyteidl_core_LiteralOffloadedMetadata_##f
#define F_LT(f) PBF_flyteidl_core_LiteralType_##f
#define F_ENUMTYPE(f) PBF_flyteidl_core_EnumType_##f
#define F_STRUCTURE(f) PBF_flyteidl_core_TypeStructure_##f
#define F_ANNOT(f) PBF_flyteidl_core_TypeAnnotation_##f
#define F_VAR(f) PBF_flyteidl_core_Variable_##f
#define F_VMAP(f) PBF_flyteidl_core_VariableMap_##f
#define F_IFACE(f) PBF_flyteidl_core_TypedInterface_##f
#define F_TS(f) PBF_google_protobuf_Timestamp_##f

static inline pb_msg *M(const void *p)
{
	return (pb_msg *)(void *)(uintptr_t)p;
}

/* The type oneof of a LiteralType, as the public kind. */
flyte_type_kind fl_type_kind(const pb_msg *lt);
/* The value of a Literal, as the public kind. */
flyte_literal_kind fl_literal_kind(const pb_msg *lit);
/* The Scalar sub-message of a literal, or NULL. */
const pb_msg *fl_literal_scalar(const pb_msg *lit);
/* 0 when s is valid UTF-8 (what proto3 strings require). */
int fl_utf8_check(const char *s, size_t n);
/* A readable form of a LiteralType ("blob(format=csv)"); fl_free it. NULL when out of memory. */
char *fl_type_describe(const pb_msg *lt);

/* from_json / to_json of the public value types (literal.c): a strict decode of JSON text
   as desc into *out, and the proto-name JSON of a message. */
int fl_value_from_json(void **out, const pb_msg_desc *desc, const char *json, size_t len, flyte_error **error);
int fl_value_to_json(char **out, const void *msg);

/* cache_key.c on the internal model: the artifact tag of a LiteralMap message (NULL: none)
   and the dataset version of a TypedInterface message (NULL: none). */
int fl_artifact_tag(char out[57], const pb_msg *inputs, const char *const *ignore, size_t n_ignore,
		    flyte_error **error);
int fl_dataset_version(char **out, const char *cache_version, const pb_msg *iface, flyte_error **error);
/* 0 makes the artifact tag single-threaded (tests compare both ways); default 1. */
extern int fl_cache_key_threads;

#endif
