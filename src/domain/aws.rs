//! AWS identifiers that cloud accounts are registered with.

/// An IAM role ARN, `arn:<partition>:iam::<12-digit account id>:role/<path and name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleArn {
    arn: String,
    account_id: String,
}

impl RoleArn {
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let partition_ok = partition.starts_with("aws")
            && partition
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-');
        let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
        let role_ok = resource
            .strip_prefix("role/")
            .is_some_and(|name| !name.is_empty() && !name.ends_with('/'));
        (partition_ok && account_ok && role_ok).then(|| Self {
            arn: text.to_owned(),
            account_id: account.to_owned(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.arn
    }

    /// The 12-digit AWS account id the role belongs to.
    pub fn account_id(&self) -> &str {
        &self.account_id
    }
}

#[cfg(test)]
mod tests {
    use super::RoleArn;

    #[test]
    fn reads_the_account_id_of_a_role_arn() {
        let arn = RoleArn::parse("arn:aws:iam::223334445555:role/CloudConformity").unwrap();
        assert_eq!(arn.account_id(), "223334445555");
        let gov = RoleArn::parse("arn:aws-us-gov:iam::123456789012:role/ops/Conformity").unwrap();
        assert_eq!(gov.account_id(), "123456789012");
    }

    #[test]
    fn refuses_what_is_not_an_iam_role() {
        for text in [
            "",
            "arn:aws:iam::22333444555:role/Short",
            "arn:aws:iam::2233344455556:role/Long",
            "arn:aws:iam::22333444555x:role/Letter",
            "arn:aws:iam::223334445555:user/NotARole",
            "arn:aws:iam::223334445555:role/",
            "arn:aws:s3:::bucket",
            "arn:gcp:iam::223334445555:role/Other",
            "arn:aws:iam:us-east-1:223334445555:role/Regional",
        ] {
            assert!(RoleArn::parse(text).is_none(), "{text}");
        }
    }
}
