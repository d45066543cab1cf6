//! `DescribeRegions`: one entry per zone, so de-duplicate by `RegionId` for a region list.

use crate::de;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct RdsRegion {
    #[serde(default, deserialize_with = "de::string_lenient")]
    pub region_id: String,
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub zone_name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub local_name: Option<String>,
    /// The API endpoint for this region (e.g. `rds.aliyuncs.com`).
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub region_endpoint: Option<String>,
}

/// The `Regions` wrapper: `{"RDSRegion": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct RdsRegions {
    #[serde(rename = "RDSRegion", default, deserialize_with = "de::vec_lenient")]
    pub rds_region: Vec<RdsRegion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DescribeRegionsResponse {
    #[serde(default, deserialize_with = "de::string_lenient")]
    pub request_id: String,
    #[serde(default, deserialize_with = "regions_lenient")]
    pub regions: RdsRegions,
}

fn regions_lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<RdsRegions, D::Error> {
    use serde::de::Error as _;
    let v = serde_json::Value::deserialize(d)?;
    let list = match v {
        serde_json::Value::Object(mut m) => m.remove("RDSRegion").unwrap_or(serde_json::Value::Null),
        other => other,
    };
    match list {
        serde_json::Value::Null => Ok(RdsRegions::default()),
        serde_json::Value::String(ref s) if de::is_null_text(s) => Ok(RdsRegions::default()),
        serde_json::Value::Array(a) => a
            .into_iter()
            .map(serde_json::from_value)
            .collect::<Result<Vec<RdsRegion>, _>>()
            .map(|rds_region| RdsRegions { rds_region })
            .map_err(D::Error::custom),
        other => Err(D::Error::custom(format!("expected Regions.RDSRegion list, found {other}"))),
    }
}

impl DescribeRegionsResponse {
    /// One entry per `RegionId`, first occurrence kept, in the service's order.
    pub fn unique_regions(&self) -> Vec<RdsRegion> {
        dedup_regions(&self.regions.rds_region)
    }
}

/// De-duplicates zone entries by `RegionId` (first kept, order preserved, empty IDs dropped).
pub fn dedup_regions(regions: &[RdsRegion]) -> Vec<RdsRegion> {
    let mut seen = std::collections::HashSet::new();
    regions.iter().filter(|r| !r.region_id.is_empty() && seen.insert(r.region_id.clone())).cloned().collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DescribeRegionsRequest {
    /// `zh-CN` or `en-US` (the service's default).
    #[serde(default, deserialize_with = "de::opt_string", skip_serializing_if = "Option::is_none")]
    pub accept_language: Option<String>,
}

impl DescribeRegionsRequest {
    pub const ACTION: &'static str = "DescribeRegions";

    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.accept_language
            .iter()
            .filter(|v| !v.is_empty())
            .map(|v| ("AcceptLanguage".to_string(), v.clone()))
            .collect()
    }

    pub fn to_query_pairs(&self) -> Vec<(String, String)> {
        self.query_pairs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_by_region() {
        let body = r#"{"RequestId":"1AD222E9-E606-4A42-BF6D-8A4442913CEF","Regions":{"RDSRegion":[
            {"ZoneId":"cn-hangzhou-h","RegionEndpoint":"rds.aliyuncs.com","LocalName":"China (Hangzhou)","RegionId":"cn-hangzhou","ZoneName":"Hangzhou Zone H"},
            {"ZoneId":"cn-hangzhou-MAZ6(b,f)","RegionEndpoint":"rds.aliyuncs.com","LocalName":"China (Hangzhou)","RegionId":"cn-hangzhou"},
            {"ZoneId":"ap-southeast-5a","RegionEndpoint":"rds.ap-southeast-5.aliyuncs.com","LocalName":"Indonesia (Jakarta)","RegionId":"ap-southeast-5"},
            {"ZoneId":"x","RegionId":null}]}}"#;
        let r: DescribeRegionsResponse = serde_json::from_str(body).unwrap();
        assert_eq!(r.regions.rds_region.len(), 4);
        let u = r.unique_regions();
        let ids: Vec<&str> = u.iter().map(|r| r.region_id.as_str()).collect();
        assert_eq!(ids, ["cn-hangzhou", "ap-southeast-5"]);
        assert_eq!(u[0].zone_id.as_deref(), Some("cn-hangzhou-h"));
        let back = serde_json::to_value(&r).unwrap();
        assert_eq!(back["Regions"]["RDSRegion"][0]["RegionId"], "cn-hangzhou");
    }

    #[test]
    fn tolerant() {
        for body in ["{}", r#"{"Regions":null}"#, r#"{"Regions":{}}"#] {
            let r: DescribeRegionsResponse = serde_json::from_str(body).unwrap();
            assert!(r.unique_regions().is_empty());
        }
        let q = DescribeRegionsRequest { accept_language: Some("en-US".into()) }.query_pairs();
        assert_eq!(q, vec![("AcceptLanguage".to_string(), "en-US".to_string())]);
    }
}
