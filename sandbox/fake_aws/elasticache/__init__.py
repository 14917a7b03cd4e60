"""Our ElastiCache over moto: state per account and region, validated like AWS."""
